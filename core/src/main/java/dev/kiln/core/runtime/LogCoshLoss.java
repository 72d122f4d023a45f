package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * The mean over a row of log cosh(output − target), computed stably for any magnitude.
 *
 * <pre>{@code
 * LossFunction logCosh = new LogCoshLoss();
 * }</pre>
 */
public record LogCoshLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.logCosh(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
