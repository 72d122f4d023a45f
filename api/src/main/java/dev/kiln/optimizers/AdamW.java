package dev.kiln.optimizers;

import dev.kiln.core.graph.UpdateRule;

/**
 * Adam with decoupled weight decay, Keras' defaults: learning rate 1e-3, weight decay 0.004,
 * β1 0.9, β2 0.999, ε 1e-7. Each step first shrinks the weights, w −= w·weight_decay·lr, then
 * applies the {@link Adam} update.
 *
 * <pre>{@code
 * new AdamW(1e-3, 0.01)
 * }</pre>
 */
public record AdamW(double learningRate, double weightDecay, double beta1, double beta2, double epsilon)
        implements Optimizer {
    public AdamW {
        Optimizer.checkedRate("learning_rate", learningRate);
        Optimizer.checkedRate("weight_decay", weightDecay);
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

    @Override
    public String name() {
        return "adamw";
    }

    @Override
    public UpdateRule rule() {
        return new UpdateRule.Adam((float) learningRate, (float) beta1, (float) beta2, (float) epsilon,
                (float) weightDecay);
    }
}
