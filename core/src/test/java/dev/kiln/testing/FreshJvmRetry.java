package dev.kiln.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * For a steady-state allocation test whose verdict depends on how C2 compiled the hot loop in this JVM.
 * Rarely (a few runs in a hundred, more on a loaded machine; seen in the convnet, pooling and
 * normalization tests) C2 gives up on one kernel for a given
 * profile and leaves it in code that boxes vectors, and the step allocates in every window; a fresh JVM
 * compiles it again from scratch. So a failing check is run once more in a JVM of its own: a kernel that
 * allocates on every compilation fails both runs, and a pass in the second run is reported, not hidden.
 *
 * <pre>{@code
 * @Test
 * void stepsAllocateNothing() {
 *     FreshJvmRetry.run(getClass(), "measure", this::measure);
 * }
 * @ParameterizedTest @CsvSource({"false, 7", "true, 37"})
 * void normalizationAllocatesNothing(boolean batchNorm, int width) {
 *     FreshJvmRetry.run(getClass(), "measure", () -> measure(batchNorm, width), batchNorm, width);
 * }
 * }</pre>
 */
public final class FreshJvmRetry {
    /** Set in the second JVM, so that it reports its own verdict instead of retrying again. */
    private static final String IN_RETRY = "kiln.freshJvmRetry";
    /** Starts the line of the second JVM's output that holds its failure (the JVM prints warnings too). */
    private static final String VERDICT = "FreshJvmRetry verdict: ";

    private FreshJvmRetry() {
    }

    /**
     * Runs {@code check}; when it fails, runs method {@code method} of {@code testClass} with {@code args}
     * (the same check; ints, longs, booleans and strings) in a new JVM with this JVM's options and class
     * path, and fails only if that fails too.
     */
    public static void run(Class<?> testClass, String method, Runnable check, Object... args) {
        try {
            check.run();
        } catch (AssertionError first) {
            if (Boolean.getBoolean(IN_RETRY)) {
                throw first;
            }
            String second = rerun(testClass, method, args);
            if (second != null) {
                throw new AssertionError(first.getMessage() + "; and again in a fresh JVM: " + second, first);
            }
            System.out.println("FreshJvmRetry: " + testClass.getSimpleName() + "." + method + " failed in this JVM ("
                    + first.getMessage() + ") and passed in a fresh one: C2 compiled a kernel differently here");
        }
    }

    /** Null when the check passed in the new JVM, else what it printed. */
    private static String rerun(Class<?> testClass, String method, Object... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        for (String argument : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!argument.startsWith("-agentlib") && !argument.startsWith("-javaagent")) {
                command.add(argument);
            }
        }
        command.add("-D" + IN_RETRY + "=true");
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(FreshJvmRetry.class.getName());
        command.add(testClass.getName());
        command.add(method);
        for (Object arg : args) {
            command.add(String.valueOf(arg));
        }
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return "timed out after 5 minutes: " + output;
            }
            if (process.exitValue() == 0) {
                return null;
            }
            int at = output.indexOf(VERDICT);
            return at < 0 ? output.strip() : output.substring(at + VERDICT.length()).strip();
        } catch (IOException e) {
            return "could not start it: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    /** The second JVM: runs the named check and exits 0 when it passes. */
    public static void main(String[] args) throws Exception {
        Class<?> testClass = Class.forName(args[0]);
        Method method = null;
        for (Method m : testClass.getDeclaredMethods()) {
            if (m.getName().equals(args[1]) && m.getParameterCount() == args.length - 2) {
                method = m;
            }
        }
        if (method == null) {
            throw new NoSuchMethodException(args[1] + " with " + (args.length - 2) + " parameters in " + args[0]);
        }
        method.setAccessible(true);
        Object[] values = new Object[method.getParameterCount()];
        for (int i = 0; i < values.length; i++) {
            Class<?> type = method.getParameterTypes()[i];
            String text = args[i + 2];
            values[i] = type == int.class ? Integer.valueOf(text) : type == long.class ? Long.valueOf(text)
                    : type == boolean.class ? Boolean.valueOf(text) : text;
        }
        var constructor = testClass.getDeclaredConstructor();
        constructor.setAccessible(true);
        try {
            method.invoke(constructor.newInstance(), values);
        } catch (java.lang.reflect.InvocationTargetException e) {
            System.out.println(VERDICT + e.getCause().getMessage());
            System.exit(1);
        }
        System.exit(0);
    }
}
