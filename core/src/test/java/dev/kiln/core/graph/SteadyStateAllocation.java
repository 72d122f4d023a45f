package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;

/**
 * Heap allocation per call of some work, judged in its steady state: measured with the JVM's counter of
 * the bytes the calling thread allocated.
 *
 * <p>Why several windows: on a loaded machine C2 may still be compiling (or recompiling after a
 * deoptimisation) when the warm-up ends, and interpreted vector code allocates. So the work is measured
 * in up to {@link #WINDOWS} windows and passes once one window stays under the bound; work that
 * allocates on every call fails every window.
 */
final class SteadyStateAllocation {
    static final int WINDOWS = 8;
    /** A JIT event inside a window can allocate once; a step that allocates does so every time. */
    private static final double BYTES_PER_CALL = 64;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private SteadyStateAllocation() {
    }

    /** Runs {@code work} {@code warmUp} times so C2 compiles it, then measures windows of {@code calls} calls. */
    static void assertAllocatesNothing(Runnable work, int warmUp, int calls, String what) {
        for (int i = 0; i < warmUp; i++) {
            work.run();
        }
        long tid = Thread.currentThread().threadId();
        StringBuilder windows = new StringBuilder();
        for (int window = 0; window < WINDOWS; window++) {
            long before = THREADS.getThreadAllocatedBytes(tid);
            for (int i = 0; i < calls; i++) {
                work.run();
            }
            double perCall = (double) (THREADS.getThreadAllocatedBytes(tid) - before) / calls;
            if (perCall < BYTES_PER_CALL) {
                return;
            }
            windows.append(windows.isEmpty() ? "" : ", ").append(perCall);
        }
        fail(what + " allocated, on average per call in each window of " + calls + " calls: " + windows + " bytes");
    }
}
