package dev.kiln.optimizers;

import dev.kiln.core.graph.UpdateRule;

/**
 * Adagrad with Keras' defaults: learning rate 1e-3, initial accumulator 0.1, ε 1e-7:
 * a += g², w −= lr·g/√(a + ε).
 *
 * <pre>{@code
 * new Adagrad(0.01)
 * }</pre>
 */
public record Adagrad(double learningRate, double initialAccumulatorValue, double epsilon) implements Optimizer {
    public Adagrad {
        Optimizer.checkedRate("learning_rate", learningRate);
    }

    public Adagrad() {
        this(0.001);
    }

    public Adagrad(double learningRate) {
        this(learningRate, 0.1, 1e-7);
    }

    @Override
    public String name() {
        return "adagrad";
    }

    @Override
    public UpdateRule rule() {
        return new UpdateRule.Adagrad((float) learningRate, (float) initialAccumulatorValue, (float) epsilon);
    }
}
