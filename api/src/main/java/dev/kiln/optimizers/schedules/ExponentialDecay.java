package dev.kiln.optimizers.schedules;

/**
 * {@code initialLearningRate · decayRate^(step / decaySteps)}, with an integer division when
 * {@code staircase}, so the rate drops in steps every {@code decaySteps} steps (Keras'
 * {@code ExponentialDecay}).
 *
 * <pre>{@code
 * new Adam(new ExponentialDecay(1e-3, 10_000, 0.9, false))
 * }</pre>
 */
public record ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase)
        implements LearningRateSchedule {
    public ExponentialDecay {
        LearningRateSchedule.checkedRate("initial_learning_rate", initialLearningRate);
        LearningRateSchedule.checkedSteps("decay_steps", decaySteps);
        LearningRateSchedule.checkedRate("decay_rate", decayRate);
    }

    /** Without the staircase, as Keras' default. */
    public ExponentialDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public double at(long step) {
        double p = staircase ? Math.floor((double) step / decaySteps) : (double) step / decaySteps;
        return initialLearningRate * Math.pow(decayRate, p);
    }
}
