package dev.kiln.optimizers;

import dev.kiln.core.graph.UpdateRule;

/**
 * Gradient descent, with optional (Nesterov) momentum. Keras' defaults: learning rate 0.01,
 * momentum 0. With momentum μ: m = μ·m − lr·g, then w += m (Nesterov: w += μ·m − lr·g).
 *
 * <pre>{@code
 * new SGD(0.1, 0.9, false)
 * }</pre>
 */
public record SGD(double learningRate, double momentum, boolean nesterov) implements Optimizer {
    public SGD {
        Optimizer.checkedRate("learning_rate", learningRate);
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
    }

    public SGD() {
        this(0.01);
    }

    public SGD(double learningRate) {
        this(learningRate, 0.0, false);
    }

    @Override
    public String name() {
        return "sgd";
    }

    @Override
    public UpdateRule rule() {
        return new UpdateRule.GradientDescent((float) learningRate, (float) momentum, nesterov);
    }
}
