package dev.kiln.metrics;

import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.io.ConfigWriter;
import dev.kiln.losses.Loss;

/**
 * A metric as {@code compile} takes it. Its name is the key in {@code History} and in
 * {@code evaluate}'s result; what it computes may depend on the model (plain "accuracy" becomes
 * binary, categorical or sparse categorical accuracy from the output width and the loss, as Keras
 * does).
 *
 * <p>A metric of a class of its own ({@link Precision}, {@link AUC}, ...) owns its Keras config: it
 * writes its options ({@link #writeConfig}) and reads them back (a static {@code fromConfig} that
 * {@link Metrics} registers under its Keras class name, which is its Java class's name). A metric made
 * from a name of Keras' metric functions ({@code "accuracy"}, {@code "mae"}) is saved as that name.
 *
 * <pre>{@code
 * model.compile("adam", "mse", Metrics.meanAbsoluteError());
 * }</pre>
 */
public class Metric {
    /** What a metric measures before the model decides its exact form. */
    enum Kind { ACCURACY, BINARY_ACCURACY, CATEGORICAL_ACCURACY, SPARSE_CATEGORICAL_ACCURACY, MAE, MSE }

    private final String name;
    private final Kind kind;

    Metric(String name, Kind kind) {
        this.name = name;
        this.kind = kind;
    }

    /** For the metric classes that compute their value from their own reduction. */
    Metric(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("metric name must be a non-empty string, got '" + name + "'");
        }
        this.name = name;
        this.kind = null;
    }

    public String name() {
        return name;
    }

    /** True for a metric made from a name of Keras' metric functions, saved as that name with no config. */
    public boolean savedAsName() {
        return kind != null;
    }

    /** Writes this metric's options into its Keras config, after its name and dtype; none by default. */
    public void writeConfig(ConfigWriter config) {
    }

    /** The engine reduction this metric is for a model with {@code outputWidth} outputs trained with {@code loss}. */
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return switch (kind) {
            case ACCURACY -> outputWidth == 1 ? MetricReduction.THRESHOLD_MATCHES
                    : loss.sparseTargets() ? MetricReduction.ARGMAX_MATCHES_LABEL
                    : MetricReduction.ARGMAX_MATCHES_ONE_HOT;
            case BINARY_ACCURACY -> MetricReduction.THRESHOLD_MATCHES;
            case CATEGORICAL_ACCURACY -> MetricReduction.ARGMAX_MATCHES_ONE_HOT;
            case SPARSE_CATEGORICAL_ACCURACY -> MetricReduction.ARGMAX_MATCHES_LABEL;
            case MAE -> MetricReduction.ABSOLUTE_ERROR;
            case MSE -> MetricReduction.SQUARED_ERROR;
        };
    }

    /**
     * The metric's value from the sums of its reduction over a whole pass (an epoch, an evaluation) and
     * the number of items they count: by default their mean.
     */
    public double result(double[] sums, long count) {
        return sums[0] / count;
    }

    /** Checks that this metric can be computed against the loss's targets; returns an error or null. */
    public String incompatibility(Loss loss) {
        boolean needsSparse = kind == Kind.SPARSE_CATEGORICAL_ACCURACY;
        boolean needsDense = kind == Kind.CATEGORICAL_ACCURACY || kind == Kind.BINARY_ACCURACY
                || kind == Kind.MAE || kind == Kind.MSE;
        if (needsSparse && !loss.sparseTargets()) {
            return "metric '" + name + "' needs class-index targets but loss '" + loss.name() + "' takes one-hot rows";
        }
        if (needsDense && loss.sparseTargets()) {
            return "metric '" + name + "' needs targets as wide as the output but loss '" + loss.name()
                    + "' takes class indices";
        }
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}
