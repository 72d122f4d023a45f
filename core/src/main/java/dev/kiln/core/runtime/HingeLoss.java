package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Keras' hinge loss: the mean over a row of max(1 − t·output, 0), targets −1 or 1 (a row of 0/1 targets read as
 * 2t − 1).
 *
 * <pre>{@code
 * LossFunction loss = new HingeLoss();
 * }</pre>
 */
public record HingeLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.hinge(output, target, false, gradient, width, gradScale, rowFrom, rowTo);
    }
}
