package dev.kiln.core.runtime;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Categorical cross-entropy of one-hot (or soft) target rows against probabilities (or,
 * {@code fromLogits}, logits). With {@code labelSmoothing} ε each target t is read as t·(1 − ε) + ε/K,
 * K the row's width. From probabilities it absorbs a final softmax and computes from the logits.
 *
 * <pre>{@code
 * LossFunction cce = new CategoricalCrossEntropyLoss(false, 0.1f);
 * }</pre>
 */
public record CategoricalCrossEntropyLoss(boolean fromLogits, float labelSmoothing) implements LossFunction {
    public CategoricalCrossEntropyLoss {
        LabelSmoothing.require(labelSmoothing);
    }

    public CategoricalCrossEntropyLoss(boolean fromLogits) {
        this(fromLogits, 0f);
    }

    @Override
    public Activation fusesWith() {
        return fromLogits ? null : Activation.SOFTMAX;
    }

    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return fromLogits
                ? LossKernels.softmaxCrossEntropy(output, target, labelSmoothing, null, gradient, width, gradScale,
                        rowFrom, rowTo)
                : LossKernels.categoricalCrossEntropy(output, target, labelSmoothing, gradient, width, gradScale,
                        rowFrom, rowTo);
    }

    @Override
    public double sumAbsorbing(MemorySegment logits, MemorySegment target, MemorySegment output,
            MemorySegment gradient, int width, float gradScale, int rowFrom, int rowTo) {
        return LossKernels.softmaxCrossEntropy(logits, target, labelSmoothing, output, gradient, width, gradScale,
                rowFrom, rowTo);
    }
}
