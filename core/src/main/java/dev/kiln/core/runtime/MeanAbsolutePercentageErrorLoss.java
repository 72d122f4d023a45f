package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Keras' mean absolute percentage error: 100 times the mean over a row of |target − output| /
 * max(|target|, 1e-7).
 *
 * <pre>{@code
 * LossFunction mape = new MeanAbsolutePercentageErrorLoss();
 * }</pre>
 */
public record MeanAbsolutePercentageErrorLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.meanAbsolutePercentageError(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
