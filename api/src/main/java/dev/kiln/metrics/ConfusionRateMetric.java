package dev.kiln.metrics;

import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.losses.Loss;

/**
 * What {@link Precision} and {@link Recall} share: Keras' threshold, top_k and class_id options, and a
 * result computed from the true and false positive and negative counts summed over the epoch, and the
 * Keras config of those options. Each subclass names its Keras class and says which counts its ratio
 * divides.
 *
 * @param <M> the subclass, so that the fluent options return it
 */
public abstract sealed class ConfusionRateMetric<M extends ConfusionRateMetric<M>> extends Metric
        permits Precision, Recall {
    private final ThresholdOptions options;

    ConfusionRateMetric(String name, ThresholdOptions options) {
        super(name);
        this.options = options;
    }

    /** The same kind of metric with another name or other options. */
    abstract M with(String name, ThresholdOptions options);

    /** Keras' class name, for messages. */
    abstract String kerasName();

    /** The metric's ratio from one class's counts. */
    abstract double ratio(ConfusionCounts counts);

    /** Counts only each row's {@code k} highest outputs as positive predictions (Keras' top_k). */
    public M topK(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("top_k must be a positive number of outputs, got " + k);
        }
        return with(name(), new ThresholdOptions(options.threshold(), k, options.classId()));
    }

    /** Scores class {@code classId} alone (Keras' class_id). */
    public M classId(int classId) {
        if (classId < 0) {
            throw new IllegalArgumentException("class_id must be a class index >= 0, got " + classId);
        }
        return with(name(), new ThresholdOptions(options.threshold(), options.topK(), classId));
    }

    /** The same metric under another name, the key in History and evaluate's result. */
    public M named(String name) {
        return with(name, options);
    }

    /** The threshold given, or NaN for Keras' {@code thresholds=None} (0.5, or every top-k output). */
    public double threshold() {
        return options.threshold();
    }

    /** Keras' top_k, or 0 for none. */
    public int topK() {
        return options.topK();
    }

    /** Keras' class_id, or -1 for every class. */
    public int classId() {
        return options.classId();
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return options.reduction(kerasName(), outputWidth, loss);
    }

    @Override
    public double result(double[] sums, long count) {
        return ratio(new ConfusionCounts(sums, 1));
    }

    @Override
    public String incompatibility(Loss loss) {
        return null;
    }

    /** Keras' thresholds, top_k and class_id, null where unset. */
    @Override
    public void writeConfig(ConfigWriter config) {
        if (Double.isNaN(threshold())) {
            config.putNull("thresholds");
        } else {
            config.put("thresholds", threshold());
        }
        if (topK() > 0) {
            config.put("top_k", topK());
        } else {
            config.putNull("top_k");
        }
        if (classId() >= 0) {
            config.put("class_id", classId());
        } else {
            config.putNull("class_id");
        }
    }

    /**
     * {@code metric} (made with the config's threshold, if any: see {@link #threshold(ConfigReader)}) with
     * the config's top_k, class_id and name.
     */
    static <M extends ConfusionRateMetric<M>> M withOptions(M metric, ConfigReader config) throws ModelFormatException {
        M m = config.has("top_k") ? metric.topK(config.positiveInt("top_k")) : metric;
        m = config.has("class_id") ? m.classId(config.wholeNumber("class_id", 0, "a class index >= 0")) : m;
        return m.named(config.text("name"));
    }

    /** Keras takes a float or a list; Kiln's Precision and Recall take one threshold. */
    static double threshold(ConfigReader config) throws ModelFormatException {
        return config.singleNumber("thresholds", "one number in [0, 1]");
    }
}
