package dev.kiln.optimizers;

import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.List;

/**
 * Adam with decoupled weight decay, Keras' defaults: learning rate 1e-3, weight decay 0.004,
 * β1 0.9, β2 0.999, ε 1e-7. Each step first shrinks the weights, w −= w·weight_decay·lr, then
 * applies the {@link Adam} update. The learning rate may be a {@link LearningRateSchedule} (the decay
 * follows it, as in Keras); gradient clipping is set with the {@code with...} methods.
 *
 * <pre>{@code
 * new AdamW(1e-3, 0.01)
 * new AdamW(new CosineDecay(1e-3, 10_000), 0.01).withClipnorm(1.0)
 * }</pre>
 */
public record AdamW(double learningRate, double weightDecay, double beta1, double beta2, double epsilon,
        LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
    public AdamW {
        Optimizer.checkedRate("learning_rate", learningRate);
        Optimizer.checkedRate("weight_decay", weightDecay);
        clipping = clipping == null ? GradientClipping.NONE : clipping;
    }

    public AdamW(double learningRate, double weightDecay, double beta1, double beta2, double epsilon) {
        this(learningRate, weightDecay, beta1, beta2, epsilon, null, GradientClipping.NONE);
    }

    public AdamW() {
        this(0.001);
    }

    public AdamW(double learningRate) {
        this(learningRate, 0.004);
    }

    public AdamW(double learningRate, double weightDecay) {
        this(learningRate, weightDecay, 0.9, 0.999, 1e-7);
    }

    public AdamW(LearningRateSchedule schedule) {
        this(schedule, 0.004);
    }

    public AdamW(LearningRateSchedule schedule, double weightDecay) {
        this(Optimizer.initialRate(schedule), weightDecay, 0.9, 0.999, 1e-7, schedule, GradientClipping.NONE);
    }

    @Override
    public AdamW withLearningRate(double rate) {
        return new AdamW(rate, weightDecay, beta1, beta2, epsilon, schedule, clipping);
    }

    public AdamW withClipnorm(double value) {
        return new AdamW(learningRate, weightDecay, beta1, beta2, epsilon, schedule, clipping.withClipnorm(value));
    }

    public AdamW withClipvalue(double value) {
        return new AdamW(learningRate, weightDecay, beta1, beta2, epsilon, schedule, clipping.withClipvalue(value));
    }

    public AdamW withGlobalClipnorm(double value) {
        return new AdamW(learningRate, weightDecay, beta1, beta2, epsilon, schedule, clipping.withGlobalClipnorm(value));
    }

    @Override
    public String name() {
        return "adamw";
    }

    @Override
    public UpdateRule rule() {
        return new AdamRule((float) learningRate, (float) beta1, (float) beta2, (float) epsilon,
                (float) weightDecay);
    }

    /** Keras' {@code momentum} (the first moment) and {@code velocity} (the second), as Adam's. */
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
        config.put("weight_decay", weightDecay).put("beta_1", beta1).put("beta_2", beta2).put("epsilon", epsilon);
    }

    /** Reads the optimizer back from its Keras config. */
    public static AdamW fromConfig(CommonConfig common, ConfigReader config) throws ModelFormatException {
        config.requireAbsentOr("amsgrad", false, "Kiln's AdamW has no AMSGrad variant");
        return new AdamW(common.learningRate(), config.number("weight_decay"), config.number("beta_1"),
                config.number("beta_2"), config.number("epsilon"), common.schedule(), common.clipping());
    }
}
