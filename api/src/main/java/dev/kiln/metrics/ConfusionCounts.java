package dev.kiln.metrics;

/**
 * True/false positives and negatives at each threshold, recovered from a
 * {@link dev.kiln.core.graph.ThresholdHistogram}'s summed histogram: at threshold j an element is
 * predicted positive when its output exceeds thresholds 0..j, i.e. when its bucket is above j.
 */
final class ConfusionCounts {
    final double[] truePositives;
    final double[] falsePositives;
    final double[] trueNegatives;
    final double[] falseNegatives;

    ConfusionCounts(double[] sums, int thresholds) {
        truePositives = new double[thresholds];
        falsePositives = new double[thresholds];
        trueNegatives = new double[thresholds];
        falseNegatives = new double[thresholds];
        int negatives = thresholds + 1;
        double positivesBelow = 0;
        double negativesBelow = 0;
        double positiveTotal = 0;
        double negativeTotal = 0;
        for (int b = 0; b <= thresholds; b++) {
            positiveTotal += sums[b];
            negativeTotal += sums[negatives + b];
        }
        for (int j = 0; j < thresholds; j++) {
            positivesBelow += sums[j];
            negativesBelow += sums[negatives + j];
            falseNegatives[j] = positivesBelow;
            trueNegatives[j] = negativesBelow;
            truePositives[j] = positiveTotal - positivesBelow;
            falsePositives[j] = negativeTotal - negativesBelow;
        }
    }

    /** a / b, or 0 when b is 0, as Keras' divide_no_nan. */
    static double divideNoNan(double a, double b) {
        return b == 0 ? 0 : a / b;
    }
}
