package dev.kiln.losses;

import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MeanSquaredLogarithmicErrorLoss;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code MeanSquaredLogarithmicError}: the mean over each row of
 * (log(1 + prediction) − log(1 + target))², averaged over the batch; predictions and targets below
 * 1e-7 count as 1e-7, as in Keras. For positive targets spanning orders of magnitude. Also by name:
 * {@code "mean_squared_logarithmic_error"}, {@code "msle"}.
 *
 * <pre>{@code
 * model.compile("adam", new MeanSquaredLogarithmicError());
 * }</pre>
 */
public record MeanSquaredLogarithmicError() implements Loss {
    @Override
    public String name() {
        return "mean_squared_logarithmic_error";
    }

    @Override
    public LossFunction function() {
        return new MeanSquaredLogarithmicErrorLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static MeanSquaredLogarithmicError fromConfig(ConfigReader config) {
        return new MeanSquaredLogarithmicError();
    }
}
