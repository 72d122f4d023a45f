package dev.kiln.core.graph;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A trainable buffer of a graph (a kernel or a bias). The compiler places its values, its gradient
 * and its optimizer slots in the compiled graph's state memory.
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final long size;
    private final WeightPenalty penalty;
    private final boolean trainable;
    private final boolean nonNegative;
    MemorySegment value;
    MemorySegment gradient;
    long offset;

    public Parameter(String name, int... shape) {
        this(name, null, shape);
    }

    /** A parameter whose values are penalized in the loss; {@code penalty} null for none. */
    public Parameter(String name, WeightPenalty penalty, int... shape) {
        this(name, penalty, true, shape);
    }

    /**
     * {@code trainable} false makes it state the graph's own steps update (moving statistics): it gets
     * no optimizer update, no gradient and no penalty.
     */
    public Parameter(String name, WeightPenalty penalty, boolean trainable, int... shape) {
        this(name, penalty, trainable, false, shape);
    }

    /**
     * Non-trainable state whose values must never be negative (a moving variance): restoring a
     * negative one would make every later output NaN.
     */
    public static Parameter nonNegativeState(String name, int... shape) {
        return new Parameter(name, null, false, true, shape);
    }

    private Parameter(String name, WeightPenalty penalty, boolean trainable, boolean nonNegative, int... shape) {
        if (!trainable && penalty != null) {
            throw new IllegalArgumentException("non-trainable parameter '" + name + "' cannot have a penalty");
        }
        this.name = name;
        this.penalty = penalty;
        this.trainable = trainable;
        this.nonNegative = nonNegative;
        this.shape = shape.clone();
        long n = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("parameter '" + name + "' has a non-positive dimension in "
                        + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        this.size = n;
    }

    public String name() {
        return name;
    }

    public int[] shape() {
        return shape.clone();
    }

    public long size() {
        return size;
    }

    /** False for state that the optimizer never updates. */
    public boolean trainable() {
        return trainable;
    }

    /** True when every value must be >= 0, besides finite. */
    public boolean nonNegative() {
        return nonNegative;
    }

    /** The index of the first of {@code values} this parameter cannot hold, or -1 when it can hold them all. */
    public int firstInvalid(float[] values) {
        return firstInvalid(values, nonNegative);
    }

    /** The index of the first value that is NaN, infinite or (when {@code nonNegative}) below 0, or -1. */
    public static int firstInvalid(float[] values, boolean nonNegative) {
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!Float.isFinite(v) || nonNegative && v < 0f) {
                return i;
            }
        }
        return -1;
    }

    /** The penalty on this parameter's values, or null. */
    public WeightPenalty penalty() {
        return penalty;
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
