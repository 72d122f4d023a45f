package dev.kiln.optimizers;

import dev.kiln.core.graph.UpdateRule;

/**
 * RMSprop with Keras' defaults: learning rate 1e-3, ρ 0.9, ε 1e-7 inside the square root:
 * v = ρ·v + (1−ρ)·g², w −= lr·g/√(v + ε). (Keras' momentum and centered options, both off by
 * default, are not offered yet.)
 *
 * <pre>{@code
 * new RMSprop(1e-3)
 * }</pre>
 */
public record RMSprop(double learningRate, double rho, double epsilon) implements Optimizer {
    public RMSprop {
        Optimizer.checkedRate("learning_rate", learningRate);
    }

    public RMSprop() {
        this(0.001);
    }

    public RMSprop(double learningRate) {
        this(learningRate, 0.9, 1e-7);
    }

    @Override
    public String name() {
        return "rmsprop";
    }

    @Override
    public UpdateRule rule() {
        return new UpdateRule.RmsProp((float) learningRate, (float) rho, (float) epsilon);
    }
}
