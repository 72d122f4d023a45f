package dev.kiln;

import dev.kiln.core.exec.CompilerDirectives;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.graph.Warmup;
import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.layers.CustomLayer;
import dev.kiln.losses.CustomLoss;
import dev.kiln.metrics.CustomMetric;
import java.util.Random;
import java.util.SplittableRandom;

/**
 * Process-wide settings: the random seed, the number of kernel threads, and the user's own losses and
 * metrics that saved models name.
 *
 * <pre>{@code
 * Kiln.setSeed(42);      // like keras.utils.set_random_seed: initializers, dropout, shuffling
 * Kiln.setThreads(2);    // all cores by default
 * Kiln.unregisterCustomObject("my_pkg>focal");   // Losses.custom registered it; forget it
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

    /**
     * Registers a custom loss under its registered name ({@code "package>name"}), so that loading a model
     * saved with it gets it back, as Keras' {@code register_keras_serializable} does. {@code Losses.custom}
     * registers the loss it makes; this registers one again (after {@link #unregisterCustomObject}). A loss
     * registered under a name already taken replaces the earlier one.
     */
    public static void registerCustomObject(CustomLoss loss) {
        requireNonNull(loss);
        CustomObjectRegistry.register(loss.registeredName(), loss);
    }

    /** Registers a custom metric under its registered name, as {@link #registerCustomObject(CustomLoss)}. */
    public static void registerCustomObject(CustomMetric metric) {
        requireNonNull(metric);
        CustomObjectRegistry.register(metric.registeredName(), metric);
    }

    /** Registers a custom layer under its registered name, as {@link #registerCustomObject(CustomLoss)}. */
    public static void registerCustomObject(CustomLayer layer) {
        requireNonNull(layer);
        CustomObjectRegistry.register(layer.registeredName(), layer);
    }

    /** Forgets the custom object registered as {@code registeredName}; false when there was none. */
    public static boolean unregisterCustomObject(String registeredName) {
        return CustomObjectRegistry.unregister(registeredName);
    }

    private static void requireNonNull(Object customObject) {
        if (customObject == null) {
            throw new IllegalArgumentException("custom object is null; expected a Losses.custom, Metrics.custom or Layers.custom");
        }
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
