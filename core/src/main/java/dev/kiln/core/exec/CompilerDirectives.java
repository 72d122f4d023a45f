package dev.kiln.core.exec;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.management.ObjectName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks HotSpot's C2 compiler not to compile the Vector API's own methods on their own.
 *
 * <p>Until C2 has compiled a kernel, the kernel runs in the interpreter or C1 code, which cannot turn
 * vector operations into instructions and calls the Vector API's Java fallbacks instead, hundreds of
 * thousands of times a step. Those fallbacks then become the hottest methods of the JVM and C2
 * compiles them one by one: over the first epoch of 784-128-10 that was 225 compilations and a second of
 * compiler time, all wasted, since the compiled kernels inline those methods and never call them. On two
 * cores that second is taken from the kernels' own compilation and from training. Excluding them
 * (for C2 only; C1 still compiles them, and C2 still inlines them into the kernels) cut the JIT's time
 * over a 5-epoch fit by about 40 %.
 *
 * <p>The directive goes through the JVM's diagnostic command MBean, whose JMX server takes about 0.2 s
 * to start, so it is installed on a daemon thread the first time Kiln is touched. A JVM without that
 * MBean (not HotSpot) is left as it is. {@code -Dkiln.jit.directives=false} turns it off.
 */
public final class CompilerDirectives {
    static final String DIRECTIVES = "[{match: [\"jdk/incubator/vector/*.*\", \"jdk/internal/vm/vector/*.*\"],"
            + " c2: {Exclude: true}}]";
    private static final Logger LOG = LoggerFactory.getLogger(CompilerDirectives.class);
    private static final AtomicBoolean STARTED = new AtomicBoolean();

    private CompilerDirectives() {
    }

    /** Installs the directive once per JVM, in the background; later calls do nothing. */
    public static void installInBackground() {
        if (!Boolean.parseBoolean(System.getProperty("kiln.jit.directives", "true")) || !STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(CompilerDirectives::install, "kiln-compiler-directives");
        t.setDaemon(true);
        t.start();
    }

    /** Adds the directive now; returns the JVM's answer, or why it could not be added. */
    static String install() {
        Path file = null;
        try {
            file = Files.createTempFile("kiln-compiler-directives", ".json");
            Files.writeString(file, DIRECTIVES);
            Object answer = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerDirectivesAdd",
                    new Object[] {new String[] {file.toString()}}, new String[] {String[].class.getName()});
            LOG.debug("compiler directives: {}", answer);
            return String.valueOf(answer).strip();
        } catch (Exception | LinkageError e) {
            LOG.debug("compiler directives not installed: {}", e.toString());
            return "not installed: " + e;
        } finally {
            if (file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a stray temporary file of 100 bytes is not worth failing for
                }
            }
        }
    }
}
