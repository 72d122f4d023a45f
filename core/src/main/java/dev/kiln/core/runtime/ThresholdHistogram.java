package dev.kiln.core.runtime;

import dev.kiln.core.kernel.RankingKernels;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Counts of positive and negative elements by how many of the ascending {@code thresholds} their
 * output exceeds: enough to recover, for every threshold t, the true and false positives and
 * negatives of "output > t", and so precision, recall and ROC curves, summed exactly across batches.
 *
 * <p>Sums layout, with T thresholds: {@code [0, T]} the histogram of positive elements, then
 * {@code [T + 1, 2T + 1]} that of negatives; bucket b holds the elements whose output exceeds exactly
 * the first b thresholds. An element is positive when its target is non-zero, or, with sparse labels,
 * when its column is the row's label.
 *
 * <p>{@code column} ≥ 0 scores only that column of each row; −1 scores every element. {@code topK}
 * > 0 counts an element as exceeding no threshold unless it is among its row's {@code topK} highest
 * outputs (ties broken towards the lower column). Cost per element: a binary search over the
 * thresholds, plus a pass over the row with top-k.
 *
 * <pre>{@code
 * var atHalf = new ThresholdHistogram(new float[] {0.5f}, -1, 0, false);
 * }</pre>
 */
public record ThresholdHistogram(float[] thresholds, int column, int topK, boolean sparseLabels)
        implements MetricReduction {
    public ThresholdHistogram {
        if (thresholds == null || thresholds.length == 0) {
            throw new IllegalArgumentException("thresholds must hold at least one value");
        }
        thresholds = thresholds.clone();
        for (int i = 0; i < thresholds.length; i++) {
            if (Float.isNaN(thresholds[i]) || i > 0 && !(thresholds[i] > thresholds[i - 1])) {
                throw new IllegalArgumentException("thresholds must be strictly ascending numbers, got "
                        + Arrays.toString(thresholds));
            }
        }
        if (column < -1) {
            throw new IllegalArgumentException("column must be -1 (every column) or a column index, got " + column);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be 0 (off) or positive, got " + topK);
        }
    }

    @Override
    public float[] thresholds() {
        return thresholds.clone();
    }

    @Override
    public long count(int rows, int width) {
        return column >= 0 ? rows : (long) rows * width;
    }

    @Override
    public int sums() {
        return 2 * (thresholds.length + 1);
    }

    @Override
    public void reduce(MemorySegment output, MemorySegment target, int width, int rows, double[] out, int at) {
        if (column >= width) {
            throw new IllegalStateException("column " + column + " is outside outputs of width " + width);
        }
        Arrays.fill(out, at, at + sums(), 0);
        RankingKernels.thresholdHistogram(output, target, width, sparseLabels, column, topK, thresholds, out, at,
                0, rows);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ThresholdHistogram h && Arrays.equals(thresholds, h.thresholds) && column == h.column
                && topK == h.topK && sparseLabels == h.sparseLabels;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(thresholds) * 31 + column * 7 + topK * 3 + (sparseLabels ? 1 : 0);
    }

    @Override
    public String toString() {
        return "ThresholdHistogram[" + thresholds.length + " thresholds, column=" + column + ", topK=" + topK
                + ", sparseLabels=" + sparseLabels + "]";
    }
}
