package dev.kiln;

import java.util.Arrays;

/**
 * One weight of a model, as Keras' variables describe theirs: its name ({@code <layer>/<weight>}, e.g.
 * {@code dense/kernel}, the key it has in saved files), its shape (a Dense kernel is [inputs, units], a
 * Conv2D kernel [kh, kw, channels, filters]), whether {@code fit} trains it, and its values, row-major.
 * The values are a copy: changing them changes nothing in the model (use {@code setWeights} for that).
 *
 * <pre>{@code
 * Weight kernel = model.getLayer("dense").weights().get(0);
 * kernel.shape();              // [784, 128]
 * kernel.values()[400 * 128];  // from input 400 to unit 0
 * }</pre>
 *
 * @param name      {@code <layer>/<weight>}
 * @param shape     the dimensions, outermost first
 * @param trainable false for a frozen layer's weights and for moving statistics
 * @param values    the values, row-major; as many as the shape holds
 */
public record Weight(String name, int[] shape, boolean trainable, float[] values) {
    public Weight {
        shape = shape.clone();
        long size = 1;
        for (int d : shape) {
            size *= d;
        }
        if (size != values.length) {
            throw new IllegalArgumentException("weight '" + name + "' of shape " + Arrays.toString(shape) + " holds "
                    + size + " values, not " + values.length);
        }
    }

    /** A copy, so that the shape cannot be changed through it. */
    @Override
    public int[] shape() {
        return shape.clone();
    }

    /** The number of values: the product of the shape. */
    public int size() {
        return values.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Weight w && name.equals(w.name) && Arrays.equals(shape, w.shape) && trainable == w.trainable
                && Arrays.equals(values, w.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(values);
    }

    /** {@code dense/kernel [784, 128]}, and {@code (non-trainable)} when fit does not train it. */
    @Override
    public String toString() {
        return name + " " + Arrays.toString(shape) + (trainable ? "" : " (non-trainable)");
    }
}
