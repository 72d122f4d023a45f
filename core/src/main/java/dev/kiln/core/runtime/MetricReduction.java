package dev.kiln.core.runtime;

import dev.kiln.core.kernel.MetricKernels;
import java.lang.foreign.MemorySegment;

/**
 * A reduction of (output, target) that a metric is made of. Each yields {@link #sums()} numbers per
 * batch that add up across batches, so a metric over an epoch is exact whatever the batch sizes:
 * a match count or an error sum (a mean over {@link #count}), or a histogram of confusion counts
 * (precision, recall, AUC are computed from the totals, never averaged per batch).
 *
 * <pre>{@code
 * List<MetricReduction> metrics = List.of(MetricReduction.ARGMAX_MATCHES_LABEL, new TopKMatches(5, true));
 * }</pre>
 */
public sealed interface MetricReduction
        permits MetricReduction.Elementary, TopKMatches, ThresholdHistogram, LossMean, ColumnMoments {
    /** Rows whose arg-max output equals the class-index target. */
    MetricReduction ARGMAX_MATCHES_LABEL = Elementary.ARGMAX_MATCHES_LABEL;
    /** Rows whose arg-max output equals the arg-max of the one-hot target. */
    MetricReduction ARGMAX_MATCHES_ONE_HOT = Elementary.ARGMAX_MATCHES_ONE_HOT;
    /** Elements where (output > 0.5) equals the 0/1 target. */
    MetricReduction THRESHOLD_MATCHES = Elementary.THRESHOLD_MATCHES;
    /** Sum of |output − target| over elements. */
    MetricReduction ABSOLUTE_ERROR = Elementary.ABSOLUTE_ERROR;
    /** Sum of (output − target)² over elements. */
    MetricReduction SQUARED_ERROR = Elementary.SQUARED_ERROR;

    /** How many items a batch of {@code rows} rows of width {@code width} counts for this reduction. */
    public long count(int rows, int width);

    /** How many numbers one batch yields. */
    default int sums() {
        return 1;
    }

    /**
     * Writes this reduction of the first {@code rows} rows into {@code out[at .. at + sums())}
     * (overwriting, not adding). {@code target} holds one class index per row when the loss takes
     * sparse labels, else rows as wide as the output. Allocates nothing.
     */
    public void reduce(MemorySegment output, MemorySegment target, int width, int rows, double[] out, int at);

    /** The single-number reductions, a sum per batch and a mean over {@link #count}. */
    enum Elementary implements MetricReduction {
        ARGMAX_MATCHES_LABEL, ARGMAX_MATCHES_ONE_HOT, THRESHOLD_MATCHES, ABSOLUTE_ERROR, SQUARED_ERROR;

        @Override
        public long count(int rows, int width) {
            return switch (this) {
                case ARGMAX_MATCHES_LABEL, ARGMAX_MATCHES_ONE_HOT -> rows;
                case THRESHOLD_MATCHES, ABSOLUTE_ERROR, SQUARED_ERROR -> (long) rows * width;
            };
        }

        @Override
        public void reduce(MemorySegment output, MemorySegment target, int width, int rows, double[] out, int at) {
            long elements = (long) rows * width;
            out[at] = switch (this) {
                case ARGMAX_MATCHES_LABEL -> MetricKernels.argmaxMatchesLabels(output, target, width, 0, rows);
                case ARGMAX_MATCHES_ONE_HOT -> MetricKernels.argmaxMatchesOneHot(output, target, width, 0, rows);
                case THRESHOLD_MATCHES -> MetricKernels.thresholdMatches(output, target, 0.5f, 0, elements);
                case ABSOLUTE_ERROR -> MetricKernels.sumAbsoluteError(output, target, 0, elements);
                case SQUARED_ERROR -> MetricKernels.sumSquaredError(output, target, 0, elements);
            };
        }
    }
}
