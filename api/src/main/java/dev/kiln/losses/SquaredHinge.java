package dev.kiln.losses;

import dev.kiln.core.runtime.SquaredHingeLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code SquaredHinge}: the mean over each row of max(1 − t·prediction, 0)², averaged over the batch;
 * targets −1 and 1 (a row of 0/1 targets is read as 2t − 1, as Keras does) and a raw score as the output.
 * Also by name: {@code "squared_hinge"}.
 *
 * <pre>{@code
 * model.compile("sgd", new SquaredHinge());
 * }</pre>
 */
public record SquaredHinge() implements Loss {
    @Override
    public String name() {
        return "squared_hinge";
    }

    @Override
    public LossFunction function() {
        return new SquaredHingeLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static SquaredHinge fromConfig(ConfigReader config) {
        return new SquaredHinge();
    }
}
