package dev.kiln;

import dev.kiln.core.exec.CompilerDirectives;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.graph.Warmup;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Process-wide settings: the random seed and the number of kernel threads.
 *
 * <pre>{@code
 * Kiln.setSeed(42);      // like keras.utils.set_random_seed: initializers, dropout, shuffling
 * Kiln.setThreads(2);    // all cores by default
 * }</pre>
 */
public final class Kiln {
    public static final String VERSION = "0.1.0";

    private static SplittableRandom seeds = new SplittableRandom();

    static {
        // Before anything reaches the kernels: say which JVM option is missing, not fail deep inside.
        VectorApiCheck.require();
        // The first touch of Kiln (setSeed, usually while data still loads) starts what the JIT needs.
        CompilerDirectives.installInBackground();
        Warmup.startInBackground();
    }

    private Kiln() {
    }

    /**
     * Starts the JIT's warm-up now (this class's initialisation does): called where a user's program
     * usually spends its first second, reading data or a saved model, so that the kernels compile
     * meanwhile instead of during the first step.
     */
    static void startWarmingUp() {
        // the static initialiser above has run by the time this body runs
    }

    /**
     * Makes every later random choice reproducible: weight initialisation, dropout masks and the
     * shuffling in {@code fit}. Models built after the same seed, with the same thread count, train to
     * bit-identical weights.
     */
    public static synchronized void setSeed(long seed) {
        seeds = new SplittableRandom(seed);
    }

    /** Sets how many threads the kernels use (the machine's processor count by default). */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        KernelPool.global().setThreads(threads);
    }

    public static int threads() {
        return KernelPool.global().threads();
    }

    /** A new generator drawn from the seeded stream; each call gives an independent one. */
    static synchronized Random newRandom() {
        return new Random(seeds.nextLong());
    }

    static synchronized long nextSeed() {
        return seeds.nextLong();
    }
}
