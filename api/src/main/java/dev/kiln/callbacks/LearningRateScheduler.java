package dev.kiln.callbacks;

import dev.kiln.Model;
import java.util.Map;

/**
 * Sets the learning rate at the start of every epoch from a function of the epoch (0-based) and the
 * current rate, as Keras' {@code LearningRateScheduler}; each epoch's logs get {@code learning_rate}.
 * The optimizer must have a constant learning rate: with a {@code LearningRateSchedule}, training
 * fails at its start with {@link IllegalStateException}.
 *
 * <pre>{@code
 * // keep the rate for ten epochs, then shrink it by e^-0.1 per epoch
 * var scheduler = new LearningRateScheduler((epoch, lr) -> epoch < 10 ? lr : lr * Math.exp(-0.1));
 * model.fit(x, y, epochs(15), callbacks(scheduler));
 * }</pre>
 */
public final class LearningRateScheduler implements Callback {
    /** The new rate for {@code epoch}, given the rate in effect now. */
    @FunctionalInterface
    public interface Schedule {
        double learningRate(int epoch, double currentLearningRate);
    }

    private final Schedule schedule;
    private final int verbose;
    private Model model;

    public LearningRateScheduler(Schedule schedule) {
        this(schedule, 0);
    }

    /** {@code verbose} 1 prints the rate set at each epoch. */
    public LearningRateScheduler(Schedule schedule, int verbose) {
        if (schedule == null) {
            throw new IllegalArgumentException("the schedule function is null");
        }
        this.schedule = schedule;
        this.verbose = verbose;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        if (model.optimizer().schedule() != null) {
            throw new IllegalStateException("LearningRateScheduler cannot set the learning rate of an optimizer that"
                    + " follows a learning-rate schedule (" + model.optimizer().schedule() + "); use one or the other");
        }
    }

    @Override
    public void onEpochBegin(int epoch, Map<String, Double> logs) {
        double lr = schedule.learningRate(epoch, model.learningRate());
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("the schedule gave learning rate " + lr + " for epoch " + epoch
                    + "; it must be a finite number >= 0");
        }
        model.setLearningRate(lr);
        if (verbose > 0) {
            System.out.println("Epoch " + (epoch + 1) + ": LearningRateScheduler setting learning rate to " + lr + ".");
        }
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        logs.put("learning_rate", model.learningRate());
    }
}
