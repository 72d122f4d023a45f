package dev.kiln.metrics;

import java.util.Arrays;
import java.util.Locale;

/**
 * Counts of (true class, predicted class) pairs: row t, column p holds how many examples of class t
 * were predicted as p (scikit-learn's layout). From it, per class: true positives, false positives,
 * false negatives, support, precision, recall and F1. {@code model.evaluateDetailed(x, y)} fills one
 * with the arg-max prediction of each row (for one sigmoid output: class 1 when the output is above
 * 0.5); {@link #of} builds one from predictions you already have.
 *
 * <pre>{@code
 * ConfusionMatrix cm = model.evaluateDetailed(xTest, yTest).confusionMatrix();
 * cm.count(6, 0);          // shirts predicted as t-shirts
 * cm.recall(6);            // the fraction of shirts found
 * System.out.println(cm);  // per-class table, as scikit-learn's classification_report
 * }</pre>
 */
public final class ConfusionMatrix {
    private final long[][] counts;

    /** An empty matrix for {@code classes} classes (2 or more). */
    public ConfusionMatrix(int classes) {
        if (classes < 2) {
            throw new IllegalArgumentException("a confusion matrix needs at least 2 classes, got " + classes);
        }
        counts = new long[classes][classes];
    }

    /**
     * The matrix of {@code predictions} (one row of outputs per example: arg-max wins, or for a single
     * column, class 1 when above 0.5) against class-index {@code labels}.
     */
    public static ConfusionMatrix of(float[][] predictions, int[] labels) {
        if (predictions == null || labels == null || predictions.length != labels.length || predictions.length == 0) {
            throw new IllegalArgumentException("predictions and labels must be non-empty and of the same length, got "
                    + (predictions == null ? "null" : predictions.length) + " and "
                    + (labels == null ? "null" : labels.length));
        }
        int width = predictions[0].length;
        ConfusionMatrix cm = new ConfusionMatrix(width == 1 ? 2 : width);
        for (int i = 0; i < labels.length; i++) {
            if (predictions[i] == null || predictions[i].length != width) {
                throw new IllegalArgumentException("prediction row " + i + " does not have " + width + " values");
            }
            cm.add(labels[i], predictedClass(predictions[i]));
        }
        return cm;
    }

    /** The class a row of outputs predicts: the first maximum (a NaN wins, as numpy's argmax), or output > 0.5. */
    public static int predictedClass(float[] outputs) {
        if (outputs.length == 1) {
            return outputs[0] > 0.5f ? 1 : 0;
        }
        int best = 0;
        for (int j = 0; j < outputs.length; j++) {
            if (Float.isNaN(outputs[j])) {
                return j;
            }
            if (outputs[j] > outputs[best]) {
                best = j;
            }
        }
        return best;
    }

    /** Counts one example of class {@code trueClass} predicted as {@code predictedClass}. */
    public void add(int trueClass, int predictedClass) {
        checkClass(trueClass, "true class");
        checkClass(predictedClass, "predicted class");
        counts[trueClass][predictedClass]++;
    }

    public int classes() {
        return counts.length;
    }

    /** Examples of class {@code trueClass} predicted as {@code predictedClass}. */
    public long count(int trueClass, int predictedClass) {
        checkClass(trueClass, "true class");
        checkClass(predictedClass, "predicted class");
        return counts[trueClass][predictedClass];
    }

    /** A copy of the whole matrix, rows the true classes, columns the predicted ones. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    public long truePositives(int c) {
        return count(c, c);
    }

    /** Examples of other classes predicted as {@code c}. */
    public long falsePositives(int c) {
        checkClass(c, "class");
        long sum = 0;
        for (int t = 0; t < counts.length; t++) {
            sum += t == c ? 0 : counts[t][c];
        }
        return sum;
    }

    /** Examples of {@code c} predicted as another class. */
    public long falseNegatives(int c) {
        return support(c) - truePositives(c);
    }

    /** Examples of class {@code c}. */
    public long support(int c) {
        checkClass(c, "class");
        return Arrays.stream(counts[c]).sum();
    }

    /** TP / (TP + FP), 0 when nothing was predicted as {@code c}. */
    public double precision(int c) {
        return ratio(truePositives(c), truePositives(c) + falsePositives(c));
    }

    /** TP / (TP + FN), 0 when {@code c} has no example. */
    public double recall(int c) {
        return ratio(truePositives(c), support(c));
    }

    /** The harmonic mean of precision and recall, 0 when both are 0. */
    public double f1(int c) {
        double p = precision(c);
        double r = recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    public long total() {
        long sum = 0;
        for (int c = 0; c < counts.length; c++) {
            sum += support(c);
        }
        return sum;
    }

    /** The fraction of examples on the diagonal. */
    public double accuracy() {
        long right = 0;
        for (int c = 0; c < counts.length; c++) {
            right += counts[c][c];
        }
        return ratio(right, total());
    }

    /** One line per class (precision, recall, f1-score, support), then accuracy, as classification_report. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%8s %10s %10s %10s %10s%n", "class", "precision", "recall", "f1-score",
                "support"));
        for (int c = 0; c < counts.length; c++) {
            sb.append(String.format(Locale.ROOT, "%8d %10.4f %10.4f %10.4f %10d%n", c, precision(c), recall(c), f1(c),
                    support(c)));
        }
        sb.append(String.format(Locale.ROOT, "%8s %32.4f %10d%n", "accuracy", accuracy(), total()));
        return sb.toString();
    }

    private void checkClass(int c, String what) {
        if (c < 0 || c >= counts.length) {
            throw new IllegalArgumentException(what + " " + c + " is not in [0, " + counts.length + ")");
        }
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
