package dev.kiln.core.runtime;

import dev.kiln.core.kernel.RankingKernels;
import java.lang.foreign.MemorySegment;

/**
 * Rows whose true class is among the {@code k} highest outputs: a class tied with the k-th highest
 * counts as inside. The true class is the label when {@code sparseLabels}, else the arg-max of the
 * one-hot target row.
 *
 * <pre>{@code
 * MetricReduction top5 = new TopKMatches(5, true);
 * }</pre>
 */
public record TopKMatches(int k, boolean sparseLabels) implements MetricReduction {
    public TopKMatches {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be a positive number of classes, got " + k);
        }
    }

    @Override
    public long count(int rows, int width) {
        return rows;
    }

    @Override
    public void reduce(MemorySegment output, MemorySegment target, int width, int rows, double[] out, int at) {
        out[at] = sparseLabels
                ? RankingKernels.topKMatchesLabels(output, target, width, k, 0, rows)
                : RankingKernels.topKMatchesOneHot(output, target, width, k, 0, rows);
    }
}
