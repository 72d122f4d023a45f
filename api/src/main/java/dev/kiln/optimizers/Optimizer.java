package dev.kiln.optimizers;

import dev.kiln.core.graph.UpdateRule;

/**
 * An optimizer as {@code compile} takes it, with Keras' names, defaults and update rules.
 *
 * <pre>{@code
 * var model = Sequential.of(Dense(1)).compile(new SGD(0.1, 0.9, true), "mse");
 * }</pre>
 */
public sealed interface Optimizer permits SGD, Adam, AdamW, RMSprop, Adagrad {
    /** The Keras name, e.g. {@code adam}. */
    String name();

    double learningRate();

    /** The engine's form of this optimizer's update. */
    UpdateRule rule();

    /** Rejects a learning rate that is negative, NaN or infinite, naming it. */
    static float checkedRate(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + value);
        }
        return (float) value;
    }
}
