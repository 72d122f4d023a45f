package dev.kiln.optimizers;

import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.List;

/**
 * Gradient descent, with optional (Nesterov) momentum. Keras' defaults: learning rate 0.01,
 * momentum 0. With momentum μ: m = μ·m − lr·g, then w += m (Nesterov: w += μ·m − lr·g).
 * The learning rate may be a {@link LearningRateSchedule}; gradient clipping is set with the
 * {@code with...} methods.
 *
 * <pre>{@code
 * new SGD(0.1, 0.9, false)
 * new SGD(new ExponentialDecay(0.1, 1000, 0.96)).withClipnorm(1.0)
 * }</pre>
 */
public record SGD(double learningRate, double momentum, boolean nesterov, LearningRateSchedule schedule,
        GradientClipping clipping) implements Optimizer {
    public SGD {
        Optimizer.checkedRate("learning_rate", learningRate);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        clipping = clipping == null ? GradientClipping.NONE : clipping;
    }

    public SGD(double learningRate, double momentum, boolean nesterov) {
        this(learningRate, momentum, nesterov, null, GradientClipping.NONE);
    }

    public SGD() {
        this(0.01);
    }

    public SGD(double learningRate) {
        this(learningRate, 0.0, false);
    }

    public SGD(LearningRateSchedule schedule) {
        this(schedule, 0.0, false);
    }

    public SGD(LearningRateSchedule schedule, double momentum, boolean nesterov) {
        this(Optimizer.initialRate(schedule), momentum, nesterov, schedule, GradientClipping.NONE);
    }

    @Override
    public SGD withLearningRate(double rate) {
        return new SGD(rate, momentum, nesterov, schedule, clipping);
    }

    public SGD withClipnorm(double value) {
        return new SGD(learningRate, momentum, nesterov, schedule, clipping.withClipnorm(value));
    }

    public SGD withClipvalue(double value) {
        return new SGD(learningRate, momentum, nesterov, schedule, clipping.withClipvalue(value));
    }

    public SGD withGlobalClipnorm(double value) {
        return new SGD(learningRate, momentum, nesterov, schedule, clipping.withGlobalClipnorm(value));
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public UpdateRule rule() {
        return new GradientDescentRule((float) learningRate, (float) momentum, nesterov);
    }

    /** Keras' {@code momentum}, kept only when the rule keeps one (momentum not 0 in float32). */
    @Override
    public List<String> slotNames() {
        return rule().slots() == 0 ? List.of() : List.of("momentum");
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("momentum", momentum).put("nesterov", nesterov);
    }

    /** Reads the optimizer back from its Keras config. */
    public static SGD fromConfig(CommonConfig common, ConfigReader config) throws ModelFormatException {
        config.requireAbsentOr("weight_decay", 0, "Kiln's SGD does not decay the weights (AdamW does)");
        return new SGD(common.learningRate(), config.number("momentum"), config.bool("nesterov"), common.schedule(),
                common.clipping());
    }
}
