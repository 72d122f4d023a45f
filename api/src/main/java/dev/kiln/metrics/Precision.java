package dev.kiln.metrics;

import dev.kiln.io.ConfigReader;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code Precision}: true positives / (true positives + false positives), from counts summed
 * over the whole epoch or evaluation (not a mean of per-batch values). An output counts as a positive
 * prediction when it exceeds the threshold (0.5 by default), and a target as positive when non-zero.
 *
 * <ul>
 *   <li>One sigmoid output (binary_crossentropy): the usual binary precision.</li>
 *   <li>Several outputs with one-hot or multi-label targets: every element counts (micro-average),
 *       as Keras does; {@code classId(c)} scores class c alone, {@code topK(k)} counts only each row's k
 *       highest outputs as positive (and then every one of them, unless a threshold is given).</li>
 *   <li>Several outputs with class-index labels (sparse_categorical_crossentropy): the labels are
 *       read as their one-hot rows, so the result equals Keras' for the same data one-hot encoded.
 *       With softmax outputs, {@code topK(1)} gives the precision of the arg-max prediction and
 *       {@code classId(c)} that of class c.</li>
 * </ul>
 * The result is 0 while nothing has been predicted positive (Keras' divide_no_nan).
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", "accuracy", new Precision(), new Recall());
 * model.compile("adam", "sparse_categorical_crossentropy",
 *         new Precision().classId(3).named("precision_shirt"));
 * }</pre>
 */
public final class Precision extends ConfusionRateMetric<Precision> {

    /** Threshold 0.5, every element, named {@code precision}. */
    public Precision() {
        this("precision", ThresholdOptions.DEFAULT);
    }

    /** An output above {@code threshold} (in [0, 1]) counts as a positive prediction. */
    public Precision(double threshold) {
        this("precision", new ThresholdOptions((float) threshold, 0, -1));
    }

    private Precision(String name, ThresholdOptions options) {
        super(name, options);
    }

    @Override
    Precision with(String name, ThresholdOptions options) {
        return new Precision(name, options);
    }

    @Override
    String kerasName() {
        return "Precision";
    }

    @Override
    double ratio(ConfusionCounts c) {
        return ConfusionCounts.divideNoNan(c.truePositives[0], c.truePositives[0] + c.falsePositives[0]);
    }

    /** Reads the metric back from its Keras config. */
    public static Precision fromConfig(ConfigReader config) throws ModelFormatException {
        return withOptions(config.has("thresholds") ? new Precision(threshold(config)) : new Precision(), config);
    }
}
