package dev.kiln.optimizers;

import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.optimizers.schedules.LearningRateSchedule;

/**
 * An optimizer as {@code compile} takes it, with Keras' names, defaults and update rules.
 *
 * <pre>{@code
 * var model = Sequential.of(Dense(1)).compile(new SGD(0.1, 0.9, true), "mse");
 * var clipped = new Adam(1e-3).withClipnorm(1.0);
 * var decayed = new Adam(new ExponentialDecay(1e-3, 1000, 0.9));
 * }</pre>
 */
public sealed interface Optimizer permits SGD, Adam, AdamW, RMSprop, Adagrad {
    /** The Keras name, e.g. {@code adam}. */
    String name();

    /** The constant learning rate, or with a {@link #schedule()} its rate at step 0. */
    double learningRate();

    /** The learning-rate schedule that {@code fit} follows step by step, or null for a constant rate. */
    LearningRateSchedule schedule();

    /** The gradient clipping applied before each update ({@link GradientClipping#NONE} by default). */
    GradientClipping clipping();

    /** The engine's form of this optimizer's update. */
    UpdateRule rule();

    /**
     * Rejects a learning rate that is negative, NaN, or too large for the float32 the kernels compute in
     * (above 3.4028235E38 it would become infinite there), naming it.
     */
    static float checkedRate(String what, double value) {
        if (!(value >= 0) || value > Float.MAX_VALUE) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0 (at most " + Float.MAX_VALUE
                    + ", the largest float32), got " + value);
        }
        return (float) value;
    }

    /** A schedule's rate at step 0, checked: what an optimizer built on the schedule starts with. */
    static double initialRate(LearningRateSchedule schedule) {
        if (schedule == null) {
            throw new IllegalArgumentException("the learning-rate schedule is null");
        }
        return checkedRate("the schedule's learning rate at step 0", schedule.at(0));
    }
}
