package dev.kiln.optimizers;

import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.io.ConfigWriter;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.List;

/**
 * An optimizer as {@code compile} takes it, with Keras' names, defaults and update rules. Each
 * optimizer owns everything about itself: its engine {@link #rule()}, Keras' names for the state it
 * keeps ({@link #slotNames()}), and its Keras config ({@link #writeConfig}, and a static
 * {@code fromConfig} that {@link Optimizers} registers under its Keras class name). Its Java class is
 * named as Keras' class, which is the {@code class_name} it is saved under.
 *
 * <pre>{@code
 * var model = Sequential.of(Dense(1)).compile(new SGD(0.1, 0.9, true), "mse");
 * var clipped = new Adam(1e-3).withClipnorm(1.0);
 * var decayed = new Adam(new ExponentialDecay(1e-3, 1000, 0.9));
 * }</pre>
 */
public interface Optimizer {
    /** The Keras name, e.g. {@code adam}. */
    String name();

    /** The constant learning rate, or with a {@link #schedule()} its rate at step 0. */
    double learningRate();

    /**
     * This optimizer with a constant learning rate of {@code rate} and every other setting unchanged;
     * {@code Model.optimizer()} reports a rate changed during training this way.
     */
    Optimizer withLearningRate(double rate);

    /** The learning-rate schedule that {@code fit} follows step by step, or null for a constant rate. */
    LearningRateSchedule schedule();

    /** The gradient clipping applied before each update ({@link GradientClipping#NONE} by default). */
    GradientClipping clipping();

    /** The engine's form of this optimizer's update; it validates the hyper-parameters. */
    UpdateRule rule();

    /**
     * Keras' names for the per-weight state the {@link #rule()} keeps, one per slot in the rule's order
     * (Adam: {@code momentum}, {@code velocity}); a saved file holds slot s of weight w as
     * {@code optimizer/<w>/<name s>}.
     */
    List<String> slotNames();

    /**
     * How Keras lays out these slots in its weights file ({@code optimizer/vars}, after the step count and
     * the learning rate): each inner list is a set of slots Keras creates together, stored weight by
     * weight. By default each slot is its own set, so slot 0 of every weight comes first, then slot 1;
     * Adam creates its two together, so its file reads momentum 0, velocity 0, momentum 1, velocity 1, ...
     */
    default List<List<String>> kerasSlotSets() {
        return slotNames().stream().map(List::of).toList();
    }

    /**
     * Writes this optimizer's own hyper-parameters into its Keras config, as Keras names them; the
     * {@code name}, {@code learning_rate} and clipping fields every optimizer has are written around them.
     */
    void writeConfig(ConfigWriter config);

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
