package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * Rank-based metric reductions: top-k membership of the true class, and histograms of outputs by the
 * thresholds they exceed (the confusion counts behind precision, recall and AUC). Scalar loops: they
 * run once per batch over the output alone, branchy by nature, and cost far less than the layer that
 * produced the output.
 *
 * <pre>{@code
 * long hits = RankingKernels.topKMatchesLabels(probs, labels, 10, 5, 0, n);   // rows whose label is in the top 5
 * }</pre>
 */
public final class RankingKernels {
    private RankingKernels() {
    }

    /** Rows of [rowFrom, rowTo) whose label (stored as a float) is among the k highest of the row. */
    public static long topKMatchesLabels(MemorySegment pred, MemorySegment labels, int cols, int k, int rowFrom,
            int rowTo) {
        long matches = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            if (inTopKWithTies(pred, (long) i * cols, cols, (int) labels.getAtIndex(JAVA_FLOAT, i), k)) {
                matches++;
            }
        }
        return matches;
    }

    /** Rows of [rowFrom, rowTo) whose one-hot target's arg-max is among the k highest outputs of the row. */
    public static long topKMatchesOneHot(MemorySegment pred, MemorySegment target, int cols, int k, int rowFrom,
            int rowTo) {
        long matches = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            if (inTopKWithTies(pred, row, cols, MetricKernels.argmax(target, row, cols), k)) {
                matches++;
            }
        }
        return matches;
    }

    /**
     * Adds, for rows [rowFrom, rowTo), one count per scored element to {@code out[at + b]} (positive
     * elements) or {@code out[at + T + 1 + b]} (negative ones), b being how many of the ascending
     * {@code thresholds} the output exceeds (strictly). {@code column} −1 scores every column, else that
     * one; {@code topK} > 0 puts elements outside their row's top k in bucket 0. A target is positive
     * when non-zero, or with {@code sparseLabels} when the column is the row's label.
     */
    public static void thresholdHistogram(MemorySegment pred, MemorySegment target, int cols, boolean sparseLabels,
            int column, int topK, float[] thresholds, double[] out, int at, int rowFrom, int rowTo) {
        int negatives = at + thresholds.length + 1;
        int first = column < 0 ? 0 : column;
        int end = column < 0 ? cols : column + 1;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            int label = sparseLabels ? (int) target.getAtIndex(JAVA_FLOAT, i) : -1;
            for (int j = first; j < end; j++) {
                float p = pred.getAtIndex(JAVA_FLOAT, row + j);
                boolean positive = sparseLabels ? j == label : target.getAtIndex(JAVA_FLOAT, row + j) != 0f;
                int bucket = topK > 0 && !inTopKByIndex(pred, row, cols, j, topK) ? 0 : thresholdsBelow(thresholds, p);
                out[(positive ? at : negatives) + bucket] += 1;
            }
        }
    }

    /** How many of the ascending thresholds are strictly below {@code p} (0 for NaN). */
    static int thresholdsBelow(float[] thresholds, float p) {
        int lo = 0;
        int hi = thresholds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (thresholds[mid] < p) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** True when fewer than k outputs of the row are strictly above column c's (ties with the k-th count in). */
    static boolean inTopKWithTies(MemorySegment pred, long row, int cols, int c, int k) {
        if (c < 0 || c >= cols) {
            return false;
        }
        float v = pred.getAtIndex(JAVA_FLOAT, row + c);
        if (Float.isNaN(v)) {
            return false;
        }
        int above = 0;
        for (int j = 0; j < cols; j++) {
            if (pred.getAtIndex(JAVA_FLOAT, row + j) > v && ++above >= k) {
                return false;
            }
        }
        return true;
    }

    /**
     * True when column c is among the k selected by a top-k that takes exactly k columns, higher values
     * first and, between equal values, the lower column first.
     */
    static boolean inTopKByIndex(MemorySegment pred, long row, int cols, int c, int k) {
        float v = pred.getAtIndex(JAVA_FLOAT, row + c);
        int ahead = 0;
        for (int j = 0; j < cols; j++) {
            float o = pred.getAtIndex(JAVA_FLOAT, row + j);
            if ((o > v || o == v && j < c) && ++ahead >= k) {
                return false;
            }
        }
        return true;
    }
}
