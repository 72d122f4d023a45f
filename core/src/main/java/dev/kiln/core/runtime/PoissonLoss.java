package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * The mean over a row of output − target·log(output + 1e-7), Keras' Poisson loss; outputs should be
 * positive rates (an exponential or softplus output).
 *
 * <pre>{@code
 * LossFunction poisson = new PoissonLoss();
 * }</pre>
 */
public record PoissonLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.poisson(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
