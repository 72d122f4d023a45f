package dev.kiln.metrics;

import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ModelFormatException;
import dev.kiln.losses.Loss;

/**
 * Keras' {@code RootMeanSquaredError}: √(Σ (prediction − target)² / count) over every output of every row
 * of the epoch, the root of the epoch's mean squared error (not a mean of per-batch roots, which would
 * depend on the batch size). Also by name: {@code "root_mean_squared_error"}.
 *
 * <pre>{@code
 * model.compile("adam", "mse", new RootMeanSquaredError());
 * model.compile("adam", "mse", "root_mean_squared_error");
 * }</pre>
 */
public final class RootMeanSquaredError extends Metric {
    /** Named {@code root_mean_squared_error}. */
    public RootMeanSquaredError() {
        this("root_mean_squared_error");
    }

    private RootMeanSquaredError(String name) {
        super(name);
    }

    /** The same metric under another name, the key in History and evaluate's result. */
    public RootMeanSquaredError named(String name) {
        return new RootMeanSquaredError(name);
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return MetricReduction.SQUARED_ERROR;
    }

    @Override
    public double result(double[] sums, long count) {
        return Math.sqrt(sums[0] / count);
    }

    @Override
    public String incompatibility(Loss loss) {
        return loss.sparseTargets() ? "metric '" + name() + "' needs targets as wide as the output but loss '"
                + loss.name() + "' takes class indices" : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RootMeanSquaredError m && m.name().equals(name());
    }

    @Override
    public int hashCode() {
        return name().hashCode();
    }

    /** Reads the metric back from its Keras config; it has no options. */
    public static RootMeanSquaredError fromConfig(ConfigReader config) throws ModelFormatException {
        return new RootMeanSquaredError(config.text("name"));
    }
}
