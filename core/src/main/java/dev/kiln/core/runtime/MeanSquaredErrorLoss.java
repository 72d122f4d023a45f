package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * The mean over a row of (output − target)².
 *
 * <pre>{@code
 * LossFunction mse = new MeanSquaredErrorLoss();
 * }</pre>
 */
public record MeanSquaredErrorLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.meanSquaredError(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
