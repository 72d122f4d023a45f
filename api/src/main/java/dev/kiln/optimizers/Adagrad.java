package dev.kiln.optimizers;

import dev.kiln.core.runtime.AdagradRule;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.List;

/**
 * Adagrad with Keras' defaults: learning rate 1e-3, initial accumulator 0.1, ε 1e-7:
 * a += g², w −= lr·g/√(a + ε). The learning rate may be a {@link LearningRateSchedule}; gradient
 * clipping is set with the {@code with...} methods.
 *
 * <pre>{@code
 * new Adagrad(0.01)
 * new Adagrad(new InverseTimeDecay(0.01, 100, 0.5)).withClipnorm(1.0)
 * }</pre>
 */
public record Adagrad(double learningRate, double initialAccumulatorValue, double epsilon,
        LearningRateSchedule schedule, GradientClipping clipping) implements Optimizer {
    public Adagrad {
        Optimizer.checkedRate("learning_rate", learningRate);
        clipping = clipping == null ? GradientClipping.NONE : clipping;
    }

    public Adagrad(double learningRate, double initialAccumulatorValue, double epsilon) {
        this(learningRate, initialAccumulatorValue, epsilon, null, GradientClipping.NONE);
    }

    public Adagrad() {
        this(0.001);
    }

    public Adagrad(double learningRate) {
        this(learningRate, 0.1, 1e-7);
    }

    public Adagrad(LearningRateSchedule schedule) {
        this(Optimizer.initialRate(schedule), 0.1, 1e-7, schedule, GradientClipping.NONE);
    }

    @Override
    public Adagrad withLearningRate(double rate) {
        return new Adagrad(rate, initialAccumulatorValue, epsilon, schedule, clipping);
    }

    public Adagrad withClipnorm(double value) {
        return new Adagrad(learningRate, initialAccumulatorValue, epsilon, schedule, clipping.withClipnorm(value));
    }

    public Adagrad withClipvalue(double value) {
        return new Adagrad(learningRate, initialAccumulatorValue, epsilon, schedule, clipping.withClipvalue(value));
    }

    public Adagrad withGlobalClipnorm(double value) {
        return new Adagrad(learningRate, initialAccumulatorValue, epsilon, schedule, clipping.withGlobalClipnorm(value));
    }

    @Override
    public String name() {
        return "adagrad";
    }

    @Override
    public UpdateRule rule() {
        return new AdagradRule((float) learningRate, (float) initialAccumulatorValue, (float) epsilon);
    }

    /** Keras' {@code accumulator}, the sum of squared gradients. */
    @Override
    public List<String> slotNames() {
        return List.of("accumulator");
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("initial_accumulator_value", initialAccumulatorValue).put("epsilon", epsilon);
    }

    /** Reads the optimizer back from its Keras config. */
    public static Adagrad fromConfig(CommonConfig common, ConfigReader config) throws ModelFormatException {
        config.requireAbsentOr("weight_decay", 0, "Kiln's Adagrad does not decay the weights (AdamW does)");
        return new Adagrad(common.learningRate(), config.number("initial_accumulator_value"), config.number("epsilon"),
                common.schedule(), common.clipping());
    }
}
