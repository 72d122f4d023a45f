package dev.kiln.core.memory;

import dev.kiln.core.memory.Shape;
import java.util.Arrays;

/**
 * The shape of one example, the batch axis apart, channels last as in Keras: {@code [784]} for a row of
 * features, {@code [28, 28, 1]} for a grey image, {@code [13, 13, 32]} for a convolution's feature maps.
 * In memory an example is its {@link #size()} floats in row-major order, and a batch is its examples
 * back to back, so a reshape never moves data.
 *
 * <pre>{@code
 * Shape image = Shape.of(28, 28, 1);
 * image.size();        // 784
 * image.last();        // 1, the channels
 * }</pre>
 */
public record Shape(int[] dims) {
    public Shape {
        dims = dims.clone();
        if (dims.length == 0) {
            throw new IllegalArgumentException("a shape needs at least one dimension");
        }
        long size = 1;
        for (int d : dims) {
            if (d <= 0) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has a dimension of " + d
                        + "; every dimension must be positive");
            }
            size *= d;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("shape " + Arrays.toString(dims) + " has more than "
                        + Integer.MAX_VALUE + " values per example");
            }
        }
    }

    public static Shape of(int... dims) {
        return new Shape(dims);
    }

    @Override
    public int[] dims() {
        return dims.clone();
    }

    public int rank() {
        return dims.length;
    }

    /** Dimension {@code i}, counting from the first after the batch axis. */
    public int dim(int i) {
        return dims[i];
    }

    /** The last dimension: the features of a row, the channels of an image. */
    public int last() {
        return dims[dims.length - 1];
    }

    /** The floats of one example. */
    public int size() {
        int size = 1;
        for (int d : dims) {
            size *= d;
        }
        return size;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape other && Arrays.equals(dims, other.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** {@code [28, 28, 1]}. */
    @Override
    public String toString() {
        return Arrays.toString(dims);
    }
}
