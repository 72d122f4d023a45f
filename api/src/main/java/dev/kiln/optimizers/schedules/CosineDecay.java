package dev.kiln.optimizers.schedules;

/**
 * Cosine decay with an optional linear warmup (Keras' {@code CosineDecay}).
 *
 * <p>Without warmup ({@code warmupTarget} NaN, the default) the rate falls from
 * {@code initialLearningRate} to {@code initialLearningRate · alpha} over {@code decaySteps} steps:
 * {@code lr · ((1 − alpha) · ½(1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha)}.
 * With warmup it first rises linearly from {@code initialLearningRate} to {@code warmupTarget} over
 * {@code warmupSteps} steps, then decays from {@code warmupTarget} the same way over the next
 * {@code decaySteps} steps, and stays at {@code warmupTarget · alpha} after that.
 *
 * <pre>{@code
 * new CosineDecay(0.1, 1000)                       // 0.1 → 0 over 1000 steps
 * new CosineDecay(0.0, 1000, 0.0, 0.1, 100)        // 0 → 0.1 over 100 steps, then down to 0
 * }</pre>
 */
public record CosineDecay(double initialLearningRate, long decaySteps, double alpha, double warmupTarget,
        long warmupSteps) implements LearningRateSchedule {
    public CosineDecay {
        LearningRateSchedule.checkedRate("initial_learning_rate", initialLearningRate);
        LearningRateSchedule.checkedSteps("decay_steps", decaySteps);
        if (!(alpha >= 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        }
        if (!Double.isNaN(warmupTarget)) {
            LearningRateSchedule.checkedRate("warmup_target", warmupTarget);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmup_steps must be >= 0, got " + warmupSteps);
        }
    }

    /** Decay to 0 without warmup. */
    public CosineDecay(double initialLearningRate, long decaySteps) {
        this(initialLearningRate, decaySteps, 0.0);
    }

    /** Decay to {@code initialLearningRate · alpha} without warmup. */
    public CosineDecay(double initialLearningRate, long decaySteps, double alpha) {
        this(initialLearningRate, decaySteps, alpha, Double.NaN, 0);
    }

    public boolean hasWarmup() {
        return !Double.isNaN(warmupTarget);
    }

    @Override
    public double at(long step) {
        if (!hasWarmup()) {
            return decayed(Math.min(step, decaySteps), initialLearningRate);
        }
        double s = Math.min(step, decaySteps + warmupSteps);
        if (s < warmupSteps) {
            return (warmupTarget - initialLearningRate) * (s / warmupSteps) + initialLearningRate;
        }
        return decayed(s - warmupSteps, warmupTarget);
    }

    private double decayed(double step, double from) {
        double cosine = 0.5 * (1 + Math.cos(Math.PI * step / decaySteps));
        return from * ((1 - alpha) * cosine + alpha);
    }
}
