package dev.kiln.optimizers;

import dev.kiln.core.graph.UpdateRule;

/**
 * Adam with Keras' defaults: learning rate 1e-3, β1 0.9, β2 0.999, ε 1e-7. As in Keras, the bias
 * correction is folded into the step size, α = lr·√(1−β2^t)/(1−β1^t), and ε is added to the
 * uncorrected √v: w −= α·m/(√v + ε).
 *
 * <pre>{@code
 * new Adam(3e-4)
 * }</pre>
 */
public record Adam(double learningRate, double beta1, double beta2, double epsilon) implements Optimizer {
    public Adam {
        Optimizer.checkedRate("learning_rate", learningRate);
    }

    public Adam() {
        this(0.001);
    }

    public Adam(double learningRate) {
        this(learningRate, 0.9, 0.999, 1e-7);
    }

    @Override
    public String name() {
        return "adam";
    }

    @Override
    public UpdateRule rule() {
        return new UpdateRule.Adam((float) learningRate, (float) beta1, (float) beta2, (float) epsilon, 0f);
    }
}
