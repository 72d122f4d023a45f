package dev.kiln.testing;

import java.lang.management.ManagementFactory;

/**
 * How many heap bytes a piece of code allocates on the calling thread, so that a test can bound the
 * memory a reader spends on a small hostile file. The action runs twice and the second run is
 * measured: the first loads classes and fills caches, which is not the reader's cost.
 */
public final class AllocatedBytes {
    /** The action; it may throw, which is usually the point. */
    @FunctionalInterface
    public interface Action {
        void run() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocatedBytes() {
    }

    public static long by(Action action) {
        runIgnoringFailure(action);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        runIgnoringFailure(action);
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    private static void runIgnoringFailure(Action action) {
        try {
            action.run();
        } catch (Exception e) {
            // Refusing is what the measured readers are expected to do; the caller checks the message.
        }
    }
}
