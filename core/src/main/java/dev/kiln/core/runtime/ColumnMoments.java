package dev.kiln.core.runtime;

import dev.kiln.core.kernel.MetricKernels;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Per output column over a batch: Σ target, Σ target² and Σ (target − output)², 3·{@code width} sums
 * in that order, which add up across batches into an epoch's R² score (Keras' R2Score keeps the same
 * three sums).
 *
 * <pre>{@code
 * MetricReduction moments = new ColumnMoments(3);
 * }</pre>
 */
public record ColumnMoments(int width) implements MetricReduction {
    public ColumnMoments {
        if (width <= 0) {
            throw new IllegalArgumentException("width must be a positive number of outputs, got " + width);
        }
    }

    @Override
    public long count(int rows, int width) {
        return rows;
    }

    @Override
    public int sums() {
        return 3 * width;
    }

    @Override
    public void reduce(MemorySegment output, MemorySegment target, int width, int rows, double[] out, int at) {
        Arrays.fill(out, at, at + sums(), 0.0);
        MetricKernels.columnMoments(output, target, width, 0, rows, out, at);
    }
}
