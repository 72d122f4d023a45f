package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Keras' Kullback–Leibler divergence Σ_k t_k·log(t_k/output_k), both clipped to [1e-7, 1]: target and output
 * rows are probability distributions.
 *
 * <pre>{@code
 * LossFunction loss = new KLDivergenceLoss();
 * }</pre>
 */
public record KLDivergenceLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.klDivergence(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
