package dev.kiln.losses;

import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MeanAbsoluteErrorLoss;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code MeanAbsoluteError}: the mean over each row of |prediction − target|, averaged over the
 * batch. Also by name: {@code "mean_absolute_error"}, {@code "mae"}.
 *
 * <pre>{@code
 * model.compile("adam", new MeanAbsoluteError());
 * }</pre>
 */
public record MeanAbsoluteError() implements Loss {
    @Override
    public String name() {
        return "mean_absolute_error";
    }

    @Override
    public LossFunction function() {
        return new MeanAbsoluteErrorLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static MeanAbsoluteError fromConfig(ConfigReader config) {
        return new MeanAbsoluteError();
    }
}
