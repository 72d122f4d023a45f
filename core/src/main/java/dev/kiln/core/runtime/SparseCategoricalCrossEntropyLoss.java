package dev.kiln.core.runtime;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Categorical cross-entropy with one class index per row as the target (a row of width 1) rather than
 * a one-hot row. From probabilities it absorbs a final softmax and computes from the logits.
 *
 * <pre>{@code
 * LossFunction loss = new SparseCategoricalCrossEntropyLoss(false);
 * }</pre>
 */
public record SparseCategoricalCrossEntropyLoss(boolean fromLogits) implements LossFunction {
    @Override
    public int targetWidth(int outputWidth) {
        return 1;
    }

    @Override
    public Activation fusesWith() {
        return fromLogits ? null : Activation.SOFTMAX;
    }

    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return fromLogits
                ? LossKernels.sparseSoftmaxCrossEntropy(output, target, null, gradient, width, gradScale, rowFrom,
                        rowTo)
                : LossKernels.sparseCategoricalCrossEntropy(output, target, gradient, width, gradScale, rowFrom,
                        rowTo);
    }

    @Override
    public double sumAbsorbing(MemorySegment logits, MemorySegment target, MemorySegment output,
            MemorySegment gradient, int width, float gradScale, int rowFrom, int rowTo) {
        return LossKernels.sparseSoftmaxCrossEntropy(logits, target, output, gradient, width, gradScale, rowFrom,
                rowTo);
    }
}
