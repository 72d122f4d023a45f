package dev.kiln.optimizers.schedules;

/**
 * A learning rate that changes with the optimizer's step count, passed to an optimizer in place of a
 * number, as in Keras. {@code fit} asks it for the rate before every training step, at the number of
 * steps taken so far (0 for the first step), so {@link #at} must be cheap and allocate nothing.
 *
 * <pre>{@code
 * var schedule = new ExponentialDecay(0.1, 1000, 0.96, true);
 * var model = Sequential.of(Dense(10, "softmax")).compile(new SGD(schedule), "sparse_categorical_crossentropy");
 * LearningRateSchedule custom = step -> 0.1 / (step + 1);
 * }</pre>
 */
@FunctionalInterface
public interface LearningRateSchedule {
    /** The learning rate for the step that follows {@code step} completed steps. */
    double at(long step);

    /**
     * Rejects a value that is not a finite number >= 0 (NaN included) or that float32, in which the
     * kernels compute, cannot hold (above 3.4028235E38), naming it.
     */
    static double checkedRate(String what, double value) {
        if (!(value >= 0) || value > Float.MAX_VALUE) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0 (at most " + Float.MAX_VALUE
                    + ", the largest float32), got " + value);
        }
        return value;
    }

    /** Rejects a step count that is not positive, naming it. */
    static long checkedSteps(String what, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be > 0, got " + value);
        }
        return value;
    }
}
