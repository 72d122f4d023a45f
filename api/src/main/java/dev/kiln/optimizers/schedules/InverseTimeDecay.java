package dev.kiln.optimizers.schedules;

/**
 * {@code initialLearningRate / (1 + decayRate · step / decaySteps)}, with
 * {@code floor(step / decaySteps)} when {@code staircase} (Keras' {@code InverseTimeDecay}).
 *
 * <pre>{@code
 * new SGD(new InverseTimeDecay(0.1, 1, 0.5, false))
 * }</pre>
 */
public record InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate, boolean staircase)
        implements LearningRateSchedule {
    public InverseTimeDecay {
        LearningRateSchedule.checkedRate("initial_learning_rate", initialLearningRate);
        LearningRateSchedule.checkedSteps("decay_steps", decaySteps);
        LearningRateSchedule.checkedRate("decay_rate", decayRate);
    }

    /** Without the staircase, as Keras' default. */
    public InverseTimeDecay(double initialLearningRate, long decaySteps, double decayRate) {
        this(initialLearningRate, decaySteps, decayRate, false);
    }

    @Override
    public double at(long step) {
        double p = staircase ? Math.floor((double) step / decaySteps) : (double) step / decaySteps;
        return initialLearningRate / (1 + decayRate * p);
    }
}
