package dev.kiln.optimizers;

import dev.kiln.core.runtime.RmsPropRule;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.List;

/**
 * RMSprop with Keras' defaults: learning rate 1e-3, ρ 0.9, ε 1e-7 inside the square root:
 * v = ρ·v + (1−ρ)·g², w −= lr·g/√(v + ε). (Keras' momentum and centered options, both off by
 * default, are not offered yet.) The learning rate may be a {@link LearningRateSchedule}; gradient
 * clipping is set with the {@code with...} methods.
 *
 * <pre>{@code
 * new RMSprop(1e-3)
 * new RMSprop(1e-3).withClipvalue(0.5)
 * }</pre>
 */
public record RMSprop(double learningRate, double rho, double epsilon, LearningRateSchedule schedule,
        GradientClipping clipping) implements Optimizer {
    public RMSprop {
        Optimizer.checkedRate("learning_rate", learningRate);
        clipping = clipping == null ? GradientClipping.NONE : clipping;
    }

    public RMSprop(double learningRate, double rho, double epsilon) {
        this(learningRate, rho, epsilon, null, GradientClipping.NONE);
    }

    public RMSprop() {
        this(0.001);
    }

    public RMSprop(double learningRate) {
        this(learningRate, 0.9, 1e-7);
    }

    public RMSprop(LearningRateSchedule schedule) {
        this(Optimizer.initialRate(schedule), 0.9, 1e-7, schedule, GradientClipping.NONE);
    }

    @Override
    public RMSprop withLearningRate(double rate) {
        return new RMSprop(rate, rho, epsilon, schedule, clipping);
    }

    public RMSprop withClipnorm(double value) {
        return new RMSprop(learningRate, rho, epsilon, schedule, clipping.withClipnorm(value));
    }

    public RMSprop withClipvalue(double value) {
        return new RMSprop(learningRate, rho, epsilon, schedule, clipping.withClipvalue(value));
    }

    public RMSprop withGlobalClipnorm(double value) {
        return new RMSprop(learningRate, rho, epsilon, schedule, clipping.withGlobalClipnorm(value));
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    public UpdateRule rule() {
        return new RmsPropRule((float) learningRate, (float) rho, (float) epsilon);
    }

    /** Keras' {@code velocity}, the running mean of squared gradients. */
    @Override
    public List<String> slotNames() {
        return List.of("velocity");
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("rho", rho).put("epsilon", epsilon);
    }

    /** Reads the optimizer back from its Keras config. */
    public static RMSprop fromConfig(CommonConfig common, ConfigReader config) throws ModelFormatException {
        config.requireAbsentOr("weight_decay", 0, "Kiln's RMSprop does not decay the weights (AdamW does)");
        config.requireAbsentOr("momentum", 0, "Kiln's RMSprop has no momentum");
        config.requireAbsentOr("centered", false, "Kiln's RMSprop is not centered");
        return new RMSprop(common.learningRate(), config.number("rho"), config.number("epsilon"), common.schedule(),
                common.clipping());
    }
}
