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
 * model.compile("adam", "categorical_crossentropy", "accuracy", "sparse_top_k_categorical_accuracy");
 * model.compile("adam", "categorical_crossentropy", new SparseTopKCategoricalAccuracy(3));
 * }</pre>
 */
public final class SparseTopKCategoricalAccuracy extends Metric {
    private final int k;

    /** k = 5, named {@code sparse_top_k_categorical_accuracy}. */
    public SparseTopKCategoricalAccuracy() {
        this(5);
    }

    public SparseTopKCategoricalAccuracy(int k) {
        this("sparse_top_k_categorical_accuracy", k);
    }

    private SparseTopKCategoricalAccuracy(String name, int k) {
        super(name);
        if (k <= 0) {
            throw new IllegalArgumentException("k must be a positive number of classes, got " + k);
        }
        this.k = k;
    }

    /** The same metric under another name, the key in History and evaluate's result. */
    public SparseTopKCategoricalAccuracy named(String name) {
        return new SparseTopKCategoricalAccuracy(name, k);
    }

    public int k() {
        return k;
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return new TopKMatches(k, true);
    }

    @Override
    public String incompatibility(Loss loss) {
        return loss.sparseTargets() ? null : "metric '" + name() + "' needs class-index targets but loss '"
                + loss.name() + "' takes one-hot rows; use top_k_categorical_accuracy";
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("k", k);
    }

    /** Reads the metric back from its Keras config; k is Keras' 5 when absent. */
    public static SparseTopKCategoricalAccuracy fromConfig(ConfigReader config) throws ModelFormatException {
        String name = config.text("name");
        return new SparseTopKCategoricalAccuracy(config.has("k") ? config.positiveInt("k") : 5).named(name);
    }
}
