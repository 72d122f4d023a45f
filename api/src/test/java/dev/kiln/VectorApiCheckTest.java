package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A program started without {@code --add-modules jdk.incubator.vector} is told which option to add. */
class VectorApiCheckTest {

    @Test
    void aJvmWithoutTheVectorModuleFailsAtTheFirstTouchNamingTheOption() throws Exception {
        Result result = run(List.of());
        assertNotEquals(0, result.status(), result.stderr());
        // What the user sees first: the error and the option to add, where the program touched Kiln.
        assertTrue(result.stderr().startsWith("Exception in thread \"main\" java.lang.NoClassDefFoundError: "
                + "Kiln needs the incubating Vector API"), result.stderr());
        assertTrue(result.stderr().contains("java --add-modules jdk.incubator.vector -cp"), result.stderr());
        assertTrue(result.stderr().contains("applicationDefaultJvmArgs"), result.stderr());
        assertTrue(result.stderr().contains("-R--add-modules=jdk.incubator.vector"), result.stderr());
        assertTrue(result.stderr().contains("at dev.kiln.Sequential.compile"), result.stderr());
        // Nothing got as far as the engine: no background warm-up thread failing on its own.
        assertFalse(result.stderr().contains("kiln-warmup"), result.stderr());
        assertEquals("specs built\n", result.stdout());
    }

    @Test
    void withTheOptionTheSameProgramCompiles() throws Exception {
        Result result = run(List.of("--add-modules=jdk.incubator.vector"));
        assertEquals(0, result.status(), result.stderr());
        assertEquals("specs built\ncompiled\n", result.stdout());
    }

    private record Result(int status, String stdout, String stderr) {
    }

    private static Result run(List<String> jvmOptions) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Program.class.getName()));
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().close();
        // Small outputs: reading one stream to its end before the other cannot fill a pipe.
        String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the child JVM did not exit");
        // The JVM's own notice that an incubator module is in use says nothing about Kiln.
        stderr = stderr.replace("WARNING: Using incubator modules: jdk.incubator.vector\n", "");
        return new Result(process.exitValue(), stdout, stderr);
    }

    /** A user's first program: layer specs need no engine, compiling does. */
    static final class Program {
        public static void main(String[] args) {
            Sequential model = Sequential.of(Input(2), Dense(3, "relu"), Dense(1, "sigmoid"));
            System.out.println("specs built");
            model.compile("sgd", "mse");
            System.out.println("compiled");
        }
    }
}
