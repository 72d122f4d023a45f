package dev.kiln.losses;

import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.PoissonLoss;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code Poisson}: the mean over each row of prediction − target·log(prediction + 1e-7), averaged
 * over the batch; for count targets, with a positive output (an exponential, softplus or sigmoid
 * activation; a prediction at or below −1e-7 gives NaN, as in Keras). Also by name: {@code "poisson"}.
 *
 * <pre>{@code
 * model.compile("adam", new Poisson());
 * }</pre>
 */
public record Poisson() implements Loss {
    @Override
    public String name() {
        return "poisson";
    }

    @Override
    public LossFunction function() {
        return new PoissonLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static Poisson fromConfig(ConfigReader config) {
        return new Poisson();
    }
}
