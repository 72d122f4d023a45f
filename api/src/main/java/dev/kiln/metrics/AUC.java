package dev.kiln.metrics;

import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.ThresholdHistogram;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.losses.Loss;
import java.util.List;

/**
 * Keras' {@code AUC} with its defaults: the area under the ROC curve, approximated over
 * {@code numThresholds} (200) evenly spaced thresholds in [0, 1] (plus one just below 0 and one just
 * above 1), summed with the trapezoidal rule (Keras' summation_method "interpolation"). Outputs are
 * expected to be probabilities. The confusion counts are summed over the whole epoch or evaluation
 * before the area is computed.
 *
 * <p>With several outputs every element counts (Keras' multi_label=False); class-index labels are read
 * as their one-hot rows. The result is 0 while either class has no example.
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", "accuracy", "auc");
 * model.compile("adam", "binary_crossentropy", new AUC(500));
 * }</pre>
 */
public final class AUC extends Metric {
    private static final float EPSILON = 1e-7f;

    /**
     * Each threshold costs memory in every evaluation (counts per threshold), so the count is bounded:
     * 100,000 resolves the curve to 1e-5, far finer than Keras' default 200.
     */
    public static final int MAX_THRESHOLDS = 100_000;

    private final int numThresholds;

    /** 200 thresholds, named {@code auc}. */
    public AUC() {
        this(200);
    }

    public AUC(int numThresholds) {
        this("auc", numThresholds);
    }

    private AUC(String name, int numThresholds) {
        super(name);
        if (numThresholds <= 1 || numThresholds > MAX_THRESHOLDS) {
            throw new IllegalArgumentException("AUC num_thresholds must be in [2, " + MAX_THRESHOLDS + "], got "
                    + numThresholds);
        }
        this.numThresholds = numThresholds;
    }

    /** The same metric under another name, the key in History and evaluate's result. */
    public AUC named(String name) {
        return new AUC(name, numThresholds);
    }

    public int numThresholds() {
        return numThresholds;
    }

    /** Keras' thresholds: −ε, then (i + 1) / (n − 1) for i < n − 2, then 1 + ε. */
    float[] thresholds() {
        float[] t = new float[numThresholds];
        t[0] = 0f - EPSILON;
        for (int i = 1; i < numThresholds - 1; i++) {
            t[i] = (float) (i / (double) (numThresholds - 1));
        }
        t[numThresholds - 1] = 1f + EPSILON;
        return t;
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return new ThresholdHistogram(thresholds(), -1, 0, loss.sparseTargets());
    }

    @Override
    public double result(double[] sums, long count) {
        ConfusionCounts c = new ConfusionCounts(sums, numThresholds);
        double area = 0;
        for (int j = 0; j + 1 < numThresholds; j++) {
            double recall = ConfusionCounts.divideNoNan(c.truePositives[j], c.truePositives[j] + c.falseNegatives[j]);
            double nextRecall = ConfusionCounts.divideNoNan(c.truePositives[j + 1],
                    c.truePositives[j + 1] + c.falseNegatives[j + 1]);
            double fpr = ConfusionCounts.divideNoNan(c.falsePositives[j], c.falsePositives[j] + c.trueNegatives[j]);
            double nextFpr = ConfusionCounts.divideNoNan(c.falsePositives[j + 1],
                    c.falsePositives[j + 1] + c.trueNegatives[j + 1]);
            area += (fpr - nextFpr) * (recall + nextRecall) / 2;
        }
        return area;
    }

    @Override
    public String incompatibility(Loss loss) {
        return null;
    }

    /** Keras' AUC config with the options Kiln's AUC has fixed written at their values. */
    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("num_thresholds", numThresholds)
                .put("curve", "ROC")
                .put("summation_method", "interpolation")
                .putNull("thresholds")
                .put("multi_label", false)
                .putNull("num_labels")
                .putNull("label_weights")
                .put("from_logits", false);
    }

    /** Reads the metric back from its Keras config, refusing the options Kiln's AUC does not have. */
    public static AUC fromConfig(ConfigReader config) throws ModelFormatException {
        String name = config.text("name");
        requireValue(config, "curve", "ROC");
        requireValue(config, "summation_method", "interpolation");
        requireAbsentOrFalse(config, "multi_label");
        requireAbsentOrFalse(config, "from_logits");
        for (String field : List.of("thresholds", "num_labels", "label_weights")) {
            if (config.has(field)) {
                throw config.fail(field, "is set; Kiln's AUC takes only num_thresholds");
            }
        }
        return new AUC(config.has("num_thresholds") ? config.positiveInt("num_thresholds") : 200).named(name);
    }

    private static void requireValue(ConfigReader config, String field, String only) throws ModelFormatException {
        if (config.has(field) && !config.text(field).equals(only)) {
            throw config.fail(field, "is '" + config.text(field) + "'; Kiln's AUC supports only \"" + only + "\"");
        }
    }

    private static void requireAbsentOrFalse(ConfigReader config, String field) throws ModelFormatException {
        if (config.has(field) && config.bool(field)) {
            throw config.fail(field, "is true; Kiln's AUC does not support it");
        }
    }
}
