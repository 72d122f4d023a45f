package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * The mean over a row of |output − target|.
 *
 * <pre>{@code
 * LossFunction mae = new MeanAbsoluteErrorLoss();
 * }</pre>
 */
public record MeanAbsoluteErrorLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.meanAbsoluteError(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
