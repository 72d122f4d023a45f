package dev.kiln.metrics;

import dev.kiln.io.ConfigReader;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code Recall}: true positives / (true positives + false negatives), from counts summed
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
 *       With softmax outputs, {@code topK(1)} gives the recall of the arg-max prediction and
 *       {@code classId(c)} that of class c (how many of its rows were found).</li>
 * </ul>
 * The result is 0 while there is no positive target (Keras' divide_no_nan).
 *
 * <pre>{@code
 * model.compile("adam", "binary_crossentropy", "accuracy", new Precision(), new Recall());
 * model.compile("adam", "sparse_categorical_crossentropy",
 *         new Recall().classId(3).named("recall_shirt"));
 * }</pre>
 */
public final class Recall extends ConfusionRateMetric<Recall> {

    /** Threshold 0.5, every element, named {@code recall}. */
    public Recall() {
        this("recall", ThresholdOptions.DEFAULT);
    }

    /** An output above {@code threshold} (in [0, 1]) counts as a positive prediction. */
    public Recall(double threshold) {
        this("recall", new ThresholdOptions((float) threshold, 0, -1));
    }

    private Recall(String name, ThresholdOptions options) {
        super(name, options);
    }

    @Override
    Recall with(String name, ThresholdOptions options) {
        return new Recall(name, options);
    }

    @Override
    String kerasName() {
        return "Recall";
    }

    @Override
    double ratio(ConfusionCounts c) {
        return ConfusionCounts.divideNoNan(c.truePositives[0], c.truePositives[0] + c.falseNegatives[0]);
    }

    /** Reads the metric back from its Keras config. */
    public static Recall fromConfig(ConfigReader config) throws ModelFormatException {
        return withOptions(config.has("thresholds") ? new Recall(threshold(config)) : new Recall(), config);
    }
}
