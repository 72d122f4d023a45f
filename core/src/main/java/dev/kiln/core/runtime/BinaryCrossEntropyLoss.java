package dev.kiln.core.runtime;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Binary cross-entropy, each output an independent probability (or, {@code fromLogits}, its logit),
 * averaged over the row. With {@code labelSmoothing} ε each target t is read as t·(1 − ε) + ε/2. From
 * probabilities it absorbs a final sigmoid and computes from the logits.
 *
 * <pre>{@code
 * LossFunction bce = new BinaryCrossEntropyLoss(false, 0.1f);
 * }</pre>
 */
public record BinaryCrossEntropyLoss(boolean fromLogits, float labelSmoothing) implements LossFunction {
    public BinaryCrossEntropyLoss {
        LabelSmoothing.require(labelSmoothing);
    }

    public BinaryCrossEntropyLoss(boolean fromLogits) {
        this(fromLogits, 0f);
    }

    @Override
    public Activation fusesWith() {
        return fromLogits ? null : Activation.SIGMOID;
    }

    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return fromLogits
                ? LossKernels.sigmoidBinaryCrossEntropy(output, target, labelSmoothing, null, gradient, width,
                        gradScale, rowFrom, rowTo)
                : LossKernels.binaryCrossEntropy(output, target, labelSmoothing, gradient, width, gradScale, rowFrom,
                        rowTo);
    }

    @Override
    public double sumAbsorbing(MemorySegment logits, MemorySegment target, MemorySegment output,
            MemorySegment gradient, int width, float gradScale, int rowFrom, int rowTo) {
        return LossKernels.sigmoidBinaryCrossEntropy(logits, target, labelSmoothing, output, gradient, width, gradScale,
                rowFrom, rowTo);
    }
}
