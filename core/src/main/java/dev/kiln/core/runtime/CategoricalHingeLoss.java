package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Keras' categorical hinge loss of one-hot target rows: max(max_k (1 − t_k)·output_k − Σ_k t_k·output_k + 1, 0).
 *
 * <pre>{@code
 * LossFunction loss = new CategoricalHingeLoss();
 * }</pre>
 */
public record CategoricalHingeLoss() implements LossFunction {
    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.categoricalHinge(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
