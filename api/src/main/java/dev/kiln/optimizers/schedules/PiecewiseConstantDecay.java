package dev.kiln.optimizers.schedules;

import java.util.Arrays;

/**
 * A constant rate per interval of steps (Keras' {@code PiecewiseConstantDecay}): {@code values[0]}
 * while {@code step <= boundaries[0]}, {@code values[i]} while
 * {@code boundaries[i-1] < step <= boundaries[i]}, and the last value after the last boundary.
 *
 * <pre>{@code
 * // 1.0 for the first 100001 steps, 0.5 for the next 10000, then 0.1
 * new PiecewiseConstantDecay(new long[] {100_000, 110_000}, new double[] {1.0, 0.5, 0.1})
 * }</pre>
 */
public final class PiecewiseConstantDecay implements LearningRateSchedule {
    private final long[] boundaries;
    private final double[] values;

    public PiecewiseConstantDecay(long[] boundaries, double[] values) {
        if (boundaries == null || values == null) {
            throw new IllegalArgumentException("boundaries and values must not be null");
        }
        if (boundaries.length != values.length - 1) {
            throw new IllegalArgumentException("there must be one value more than boundaries, got "
                    + boundaries.length + " boundaries " + Arrays.toString(boundaries) + " and " + values.length
                    + " values " + Arrays.toString(values));
        }
        for (int i = 1; i < boundaries.length; i++) {
            if (boundaries[i] <= boundaries[i - 1]) {
                throw new IllegalArgumentException("boundaries must be strictly increasing, got " + Arrays.toString(boundaries));
            }
        }
        for (double v : values) {
            LearningRateSchedule.checkedRate("every value", v);
        }
        this.boundaries = boundaries.clone();
        this.values = values.clone();
    }

    public long[] boundaries() {
        return boundaries.clone();
    }

    public double[] values() {
        return values.clone();
    }

    @Override
    public double at(long step) {
        int i = 0;
        while (i < boundaries.length && step > boundaries[i]) {
            i++;
        }
        return values[i];
    }

    @Override
    public String toString() {
        return "PiecewiseConstantDecay[boundaries=" + Arrays.toString(boundaries) + ", values=" + Arrays.toString(values) + "]";
    }
}
