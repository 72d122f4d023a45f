package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Keras' squared hinge loss: the mean over a row of max(1 − t·output, 0)², targets −1 or 1 (a row of 0/1 targets
 * read as 2t − 1).
 *
 * <pre>{@code
 * LossFunction loss = new SquaredHingeLoss();
 * }</pre>
 */
public record SquaredHingeLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.hinge(output, target, true, gradient, width, gradScale, rowFrom, rowTo);
    }
}
