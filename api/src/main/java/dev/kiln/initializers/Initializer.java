package dev.kiln.initializers;

import java.util.Random;

/**
 * Fills a new weight tensor. {@code fanIn} and {@code fanOut} are the tensor's input and output sizes
 * (for a Dense kernel of shape [in, out]: in and out; for a vector of n: n and n, as Keras counts).
 *
 * <pre>{@code
 * float[] w = Initializers.resolve("he_normal").initialize(784, 128, new java.util.Random(0));
 * }</pre>
 */
@FunctionalInterface
public interface Initializer {
    /** Returns {@code fanIn × fanOut} values (or {@code fanOut} for a vector, see {@link #initializeVector}). */
    float[] fill(int count, int fanIn, int fanOut, Random random);

    default float[] initialize(int fanIn, int fanOut, Random random) {
        return fill(Math.multiplyExact(fanIn, fanOut), fanIn, fanOut, random);
    }

    default float[] initializeVector(int size, Random random) {
        return fill(size, size, size, random);
    }
}
