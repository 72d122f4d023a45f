package dev.kiln.initializers;

import dev.kiln.internal.NameRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Keras' weight initializers, by name: glorot_uniform (Dense's default kernel), glorot_normal,
 * he_uniform, he_normal, lecun_normal, lecun_uniform, zeros (Dense's default bias) and ones.
 *
 * <p>The variance-scaling family draws uniformly from ±√(3·scale/n) or from a normal with standard
 * deviation √(scale/n) truncated at two standard deviations (redrawn beyond, then divided by
 * 0.8796…, the standard deviation such a truncation leaves, so the variance is scale/n), where n is
 * fan_in or the mean of fan_in and fan_out.
 *
 * <pre>{@code
 * Initializer init = Initializers.resolve("he_uniform");
 * }</pre>
 */
public final class Initializers {
    /** Standard deviation of a unit normal truncated to [−2, 2]. */
    private static final double TRUNCATED_STDDEV = 0.87962566103423978;

    private static final NameRegistry<Initializer> REGISTRY = new NameRegistry<Initializer>("initializer")
            .add(Initializers::glorotUniform, "glorot_uniform")
            .add(Initializers::glorotNormal, "glorot_normal")
            .add(Initializers::heUniform, "he_uniform")
            .add(Initializers::heNormal, "he_normal")
            .add(Initializers::lecunNormal, "lecun_normal")
            .add(Initializers::lecunUniform, "lecun_uniform")
            .add(Initializers::zeros, "zeros")
            .add(Initializers::ones, "ones");

    private enum Fan { IN, AVERAGE }

    private Initializers() {
    }

    public static Initializer resolve(String name) {
        return REGISTRY.resolve(name);
    }

    public static List<String> names() {
        return REGISTRY.names();
    }

    public static Initializer glorotUniform() {
        return uniform(1.0, Fan.AVERAGE);
    }

    public static Initializer glorotNormal() {
        return truncatedNormal(1.0, Fan.AVERAGE);
    }

    public static Initializer heUniform() {
        return uniform(2.0, Fan.IN);
    }

    public static Initializer heNormal() {
        return truncatedNormal(2.0, Fan.IN);
    }

    public static Initializer lecunNormal() {
        return truncatedNormal(1.0, Fan.IN);
    }

    public static Initializer lecunUniform() {
        return uniform(1.0, Fan.IN);
    }

    public static Initializer zeros() {
        return constant(0f);
    }

    public static Initializer ones() {
        return constant(1f);
    }

    public static Initializer constant(float value) {
        return (count, fanIn, fanOut, random) -> {
            float[] out = new float[count];
            Arrays.fill(out, value);
            return out;
        };
    }

    private static Initializer uniform(double scale, Fan fan) {
        return (count, fanIn, fanOut, random) -> {
            double limit = Math.sqrt(3.0 * scale / fanSize(fan, fanIn, fanOut));
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                out[i] = (float) ((random.nextDouble() * 2 - 1) * limit);
            }
            return out;
        };
    }

    private static Initializer truncatedNormal(double scale, Fan fan) {
        return (count, fanIn, fanOut, random) -> {
            double stddev = Math.sqrt(scale / fanSize(fan, fanIn, fanOut)) / TRUNCATED_STDDEV;
            float[] out = new float[count];
            for (int i = 0; i < count; i++) {
                out[i] = (float) (truncatedUnitNormal(random) * stddev);
            }
            return out;
        };
    }

    private static double truncatedUnitNormal(Random random) {
        double z;
        do {
            z = random.nextGaussian();
        } while (Math.abs(z) > 2.0);
        return z;
    }

    private static double fanSize(Fan fan, int fanIn, int fanOut) {
        return Math.max(1.0, fan == Fan.IN ? fanIn : (fanIn + fanOut) / 2.0);
    }
}
