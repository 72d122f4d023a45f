package dev.kiln.losses;

import dev.kiln.core.runtime.HingeLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code Hinge}: the mean over each row of max(1 − t·prediction, 0), averaged over the batch; for
 * binary classification with targets −1 and 1 and a raw score (no activation) as the output. A row whose
 * targets are all 0 or 1 is read as 2t − 1, as Keras does. Also by name: {@code "hinge"}.
 *
 * <pre>{@code
 * model.compile("sgd", new Hinge());
 * }</pre>
 */
public record Hinge() implements Loss {
    @Override
    public String name() {
        return "hinge";
    }

    @Override
    public LossFunction function() {
        return new HingeLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static Hinge fromConfig(ConfigReader config) {
        return new Hinge();
    }
}
