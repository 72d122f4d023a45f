package dev.kiln.core.runtime;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A trainable buffer of a graph (a kernel or a bias). The compiler places its values, its gradient
 * and its optimizer slots in the compiled graph's state memory ({@link #bind}).
 */
public final class Parameter {
    private final String name;
    private final int[] shape;
    private final long size;
    private final WeightPenalty penalty;
    private final boolean trainable;
    private final boolean nonNegative;
    private MemorySegment value;
    private MemorySegment gradient;
    private long offset = -1;

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

    /**
     * Where the compiled graph put this parameter: at float {@code offset} of its state regions, with its
     * values and gradient in those slices. Called once, by the compiler's memory plan.
     */
    public void bind(long offset, MemorySegment value, MemorySegment gradient) {
        this.offset = offset;
        this.value = value;
        this.gradient = gradient;
    }

    /** The values, once bound. */
    public MemorySegment value() {
        return value;
    }

    /** The gradient the last training step left, once bound. */
    public MemorySegment gradient() {
        return gradient;
    }

    /** The first float of this parameter in its compiled graph's parameter, gradient and slot regions. */
    public long offset() {
        return offset;
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
