package dev.kiln.metrics;

import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.TopKMatches;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.losses.Loss;

/**
 * Keras' {@code TopKCategoricalAccuracy}: the fraction of rows whose true class (the arg-max of the
 * one-hot target) is among the {@code k} (5) highest outputs; an output tied with the k-th highest
 * counts as inside. For class-index labels use {@link SparseTopKCategoricalAccuracy}.
 *
 * <pre>{@code
 * model.compile("adam", "categorical_crossentropy", "accuracy", "top_k_categorical_accuracy");
 * model.compile("adam", "categorical_crossentropy", new TopKCategoricalAccuracy(3));
 * }</pre>
 */
public final class TopKCategoricalAccuracy extends Metric {
    private final int k;

    /** k = 5, named {@code top_k_categorical_accuracy}. */
    public TopKCategoricalAccuracy() {
        this(5);
    }

    public TopKCategoricalAccuracy(int k) {
        this("top_k_categorical_accuracy", k);
    }

    private TopKCategoricalAccuracy(String name, int k) {
        super(name);
        if (k <= 0) {
            throw new IllegalArgumentException("k must be a positive number of classes, got " + k);
        }
        this.k = k;
    }

    /** The same metric under another name, the key in History and evaluate's result. */
    public TopKCategoricalAccuracy named(String name) {
        return new TopKCategoricalAccuracy(name, k);
    }

    public int k() {
        return k;
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return new TopKMatches(k, false);
    }

    @Override
    public String incompatibility(Loss loss) {
        return loss.sparseTargets() ? "metric '" + name() + "' needs one-hot targets but loss '" + loss.name()
                + "' takes class indices; use sparse_top_k_categorical_accuracy" : null;
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("k", k);
    }

    /** Reads the metric back from its Keras config; k is Keras' 5 when absent. */
    public static TopKCategoricalAccuracy fromConfig(ConfigReader config) throws ModelFormatException {
        String name = config.text("name");
        return new TopKCategoricalAccuracy(config.has("k") ? config.positiveInt("k") : 5).named(name);
    }
}
