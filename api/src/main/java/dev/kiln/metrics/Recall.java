package dev.kiln.metrics;

import dev.kiln.core.graph.MetricReduction;
import dev.kiln.losses.Loss;

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
public final class Recall extends Metric {
    private final ThresholdOptions options;

    /** Threshold 0.5, every element, named {@code precision}. */
    public Recall() {
        this("recall", ThresholdOptions.DEFAULT);
    }

    /** An output above {@code threshold} (in [0, 1]) counts as a positive prediction. */
    public Recall(double threshold) {
        this("recall", new ThresholdOptions((float) threshold, 0, -1));
    }

    private Recall(String name, ThresholdOptions options) {
        super(name);
        this.options = options;
    }

    /** Counts only each row's {@code k} highest outputs as positive predictions (Keras' top_k). */
    public Recall topK(int k) {
        if (k <= 0) {
            throw new IllegalArgumentException("top_k must be a positive number of outputs, got " + k);
        }
        return new Recall(name(), new ThresholdOptions(options.threshold(), k, options.classId()));
    }

    /** Scores class {@code classId} alone (Keras' class_id). */
    public Recall classId(int classId) {
        if (classId < 0) {
            throw new IllegalArgumentException("class_id must be a class index >= 0, got " + classId);
        }
        return new Recall(name(), new ThresholdOptions(options.threshold(), options.topK(), classId));
    }

    /** The same metric under another name, the key in History and evaluate's result. */
    public Recall named(String name) {
        return new Recall(name, options);
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return options.reduction("Recall", outputWidth, loss);
    }

    @Override
    public double result(double[] sums, long count) {
        ConfusionCounts c = new ConfusionCounts(sums, 1);
        return ConfusionCounts.divideNoNan(c.truePositives[0], c.truePositives[0] + c.falseNegatives[0]);
    }

    @Override
    public String incompatibility(Loss loss) {
        return null;
    }
}
