package dev.kiln.losses;

import dev.kiln.core.runtime.LossFunction;

/**
 * A loss as {@code compile} takes it: what it computes and whether it reads probabilities or logits.
 * Per-sample losses are averaged over the batch, as Keras' default reduction does.
 *
 * <pre>{@code
 * model = Sequential.of(Dense(10)).compile("adam", Losses.sparseCategoricalCrossentropy(true));
 * }</pre>
 */
public final class Loss {
    private final String name;
    private final LossFunction function;

    Loss(String name, LossFunction function) {
        this.name = name;
        this.function = function;
    }

    /** The Keras name, e.g. {@code sparse_categorical_crossentropy}. */
    public String name() {
        return name;
    }

    /** True when the loss reads raw scores rather than probabilities. */
    public boolean fromLogits() {
        return function.name().endsWith("FROM_LOGITS");
    }

    /** True when targets are class indices ({@code int[]}) rather than rows as wide as the output. */
    public boolean sparseTargets() {
        return function.sparseTargets();
    }

    /** The engine's form of this loss. */
    public LossFunction function() {
        return function;
    }

    @Override
    public String toString() {
        return name + (fromLogits() ? "(from_logits=True)" : "");
    }
}
