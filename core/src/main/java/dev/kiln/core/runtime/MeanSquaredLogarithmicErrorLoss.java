package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * The mean over a row of (log(1 + output) − log(1 + target))², both raised to at least 1e-7 first, as
 * Keras does.
 *
 * <pre>{@code
 * LossFunction msle = new MeanSquaredLogarithmicErrorLoss();
 * }</pre>
 */
public record MeanSquaredLogarithmicErrorLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.meanSquaredLogarithmicError(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
