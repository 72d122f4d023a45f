package dev.kiln.core.exec;

/**
 * How many parts a kernel is worth splitting into: the one rule every step of the engine splits its
 * work by, so that a second thread is woken only where it saves more than it costs.
 */
public final class Parallelism {
    /** Below this many multiply-adds a second thread costs more to wake than it saves. */
    private static final long MIN_WORK_PER_PART = 32_768;

    private Parallelism() {
    }

    /** Parts for {@code work} units over {@code items} splittable items, at most the pool's threads. */
    public static int partsFor(long work, int items, KernelPool pool) {
        long byWork = Math.max(1, work / MIN_WORK_PER_PART);
        return (int) Math.max(1, Math.min(Math.min(byWork, items), pool.threads()));
    }
}
