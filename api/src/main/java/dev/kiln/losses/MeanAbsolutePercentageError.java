package dev.kiln.losses;

import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MeanAbsolutePercentageErrorLoss;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code MeanAbsolutePercentageError}: 100 times the mean over each row of |target − prediction| /
 * max(|target|, 1e-7), averaged over the batch; an error relative to the target's size (a target of 0 makes
 * any error enormous, as in Keras). Also by name: {@code "mean_absolute_percentage_error"} and
 * {@code "mape"}.
 *
 * <pre>{@code
 * model.compile("adam", new MeanAbsolutePercentageError());
 * }</pre>
 */
public record MeanAbsolutePercentageError() implements Loss {
    @Override
    public String name() {
        return "mean_absolute_percentage_error";
    }

    @Override
    public LossFunction function() {
        return new MeanAbsolutePercentageErrorLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static MeanAbsolutePercentageError fromConfig(ConfigReader config) {
        return new MeanAbsolutePercentageError();
    }
}
