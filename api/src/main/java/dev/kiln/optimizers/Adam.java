package dev.kiln.optimizers;

import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.List;

/**
 * Adam with Keras' defaults: learning rate 1e-3, β1 0.9, β2 0.999, ε 1e-7. As in Keras, the bias
 * correction is folded into the step size, α = lr·√(1−β2^t)/(1−β1^t), and ε is added to the
 * uncorrected √v: w −= α·m/(√v + ε). The learning rate may be a {@link LearningRateSchedule};
 * gradient clipping is set with the {@code with...} methods.
 *
 * <pre>{@code
 * new Adam(3e-4)
 * new Adam(new CosineDecay(1e-3, 10_000)).withGlobalClipnorm(1.0)
 * }</pre>
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon, LearningRateSchedule schedule,
        GradientClipping clipping) implements Optimizer {
    public Adam {
        Optimizer.checkedRate("learning_rate", learningRate);
        clipping = clipping == null ? GradientClipping.NONE : clipping;
    }

    public Adam(double learningRate, double beta1, double beta2, double epsilon) {
        this(learningRate, beta1, beta2, epsilon, null, GradientClipping.NONE);
    }

    public Adam() {
        this(0.001);
    }

    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7);
    }

    public Adam(LearningRateSchedule schedule) {
        this(Optimizer.initialRate(schedule), 0.9, 0.999, 1e-7, schedule, GradientClipping.NONE);
    }

    @Override
    public Adam withLearningRate(double rate) {
        return new Adam(rate, beta1, beta2, epsilon, schedule, clipping);
    }

    public Adam withClipnorm(double value) {
        return new Adam(learningRate, beta1, beta2, epsilon, schedule, clipping.withClipnorm(value));
    }

    public Adam withClipvalue(double value) {
        return new Adam(learningRate, beta1, beta2, epsilon, schedule, clipping.withClipvalue(value));
    }

    public Adam withGlobalClipnorm(double value) {
        return new Adam(learningRate, beta1, beta2, epsilon, schedule, clipping.withGlobalClipnorm(value));
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public UpdateRule rule() {
        return new AdamRule((float) learningRate, (float) beta1, (float) beta2, (float) epsilon, 0f);
    }

    /** Keras' {@code momentum} (the first moment) and {@code velocity} (the second). */
    @Override
    public List<String> slotNames() {
        return List.of("momentum", "velocity");
    }

    /** Keras creates the two moments of a weight together: momentum 0, velocity 0, momentum 1, ... */
    @Override
    public List<List<String>> kerasSlotSets() {
        return List.of(slotNames());
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("beta_1", beta1).put("beta_2", beta2).put("epsilon", epsilon);
    }

    /** Reads the optimizer back from its Keras config. */
    public static Adam fromConfig(CommonConfig common, ConfigReader config) throws ModelFormatException {
        config.requireAbsentOr("weight_decay", 0, "Kiln's Adam does not decay the weights (AdamW does)");
        config.requireAbsentOr("amsgrad", false, "Kiln's Adam has no AMSGrad variant");
        return new Adam(common.learningRate(), config.number("beta_1"), config.number("beta_2"), config.number("epsilon"),
                common.schedule(), common.clipping());
    }
}
