package dev.kiln.core.graph;

/**
 * Reductions of (output, target) that metrics are made of; each yields a sum and the count it is a
 * mean over, so batches of any size combine exactly.
 */
public enum MetricReduction {
    /** Rows whose arg-max output equals the class-index target. */
    ARGMAX_MATCHES_LABEL,
    /** Rows whose arg-max output equals the arg-max of the one-hot target. */
    ARGMAX_MATCHES_ONE_HOT,
    /** Elements where (output > 0.5) equals the 0/1 target. */
    THRESHOLD_MATCHES,
    /** Sum of |output − target| over elements. */
    ABSOLUTE_ERROR,
    /** Sum of (output − target)² over elements. */
    SQUARED_ERROR;

    /** How many items a batch of {@code rows} rows of width {@code width} counts for this reduction. */
    public long count(int rows, int width) {
        return switch (this) {
            case ARGMAX_MATCHES_LABEL, ARGMAX_MATCHES_ONE_HOT -> rows;
            case THRESHOLD_MATCHES, ABSOLUTE_ERROR, SQUARED_ERROR -> (long) rows * width;
        };
    }
}
