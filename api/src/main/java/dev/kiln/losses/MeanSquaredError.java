package dev.kiln.losses;

import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code MeanSquaredError}: the mean over each row of (prediction − target)², averaged over the
 * batch. Also by name: {@code "mean_squared_error"}, {@code "mse"}.
 *
 * <pre>{@code
 * model.compile("adam", new MeanSquaredError());
 * }</pre>
 */
public record MeanSquaredError() implements Loss {
    @Override
    public String name() {
        return "mean_squared_error";
    }

    @Override
    public LossFunction function() {
        return new MeanSquaredErrorLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static MeanSquaredError fromConfig(ConfigReader config) {
        return new MeanSquaredError();
    }
}
