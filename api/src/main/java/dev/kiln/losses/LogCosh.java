package dev.kiln.losses;

import dev.kiln.core.runtime.LogCoshLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code LogCosh}: the mean over each row of log cosh(prediction − target), averaged over the
 * batch; like half the squared error for small errors and like |error| − log 2 for large ones. Also by
 * name: {@code "log_cosh"}.
 *
 * <pre>{@code
 * model.compile("adam", new LogCosh());
 * }</pre>
 */
public record LogCosh() implements Loss {
    @Override
    public String name() {
        return "log_cosh";
    }

    @Override
    public LossFunction function() {
        return new LogCoshLoss();
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static LogCosh fromConfig(ConfigReader config) {
        return new LogCosh();
    }
}
