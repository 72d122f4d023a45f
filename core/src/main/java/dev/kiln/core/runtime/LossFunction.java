package dev.kiln.core.runtime;

import dev.kiln.core.kernel.Activation;
import java.lang.foreign.MemorySegment;

/**
 * A loss the engine computes, with its parameters: it owns its kernel calls, the width of its target
 * rows and the output activation it can absorb. Each per-sample loss is averaged over the batch;
 * {@link LossStep} only dispatches to it.
 *
 * <pre>{@code
 * LossFunction loss = new CategoricalCrossEntropyLoss(false, 0.1f);
 * double sum = loss.sum(probabilities, targets, gradient, 10, 1f / rows, 0, rows);
 * }</pre>
 */
public interface LossFunction {
    /** The width of one target row for an output of {@code outputWidth}: the output's own unless overridden. */
    default int targetWidth(int outputWidth) {
        return outputWidth;
    }

    /**
     * The output activation this loss absorbs when it ends the graph: softmax + cross-entropy and
     * sigmoid + binary cross-entropy are computed together from the logits, which is both cheaper and
     * exact where the separate forms would saturate. Null when it absorbs nothing.
     */
    default Activation fusesWith() {
        return null;
    }

    /**
     * The sum of the per-sample losses of rows [rowFrom, rowTo) of {@code output} (width {@code width})
     * against {@code target}; when {@code gradient} is non-null those rows of it receive
     * gradScale·∂loss/∂output. A row's loss and gradient do not depend on the range it is computed in.
     */
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo);

    /**
     * {@link #sum} when the loss absorbed its {@link #fusesWith() activation}: it reads the activation's
     * input {@code logits}, writes the activation's output to {@code output} and the gradient with respect
     * to the logits. Called only on a loss that absorbs an activation.
     */
    default double sumAbsorbing(MemorySegment logits, MemorySegment target, MemorySegment output,
            MemorySegment gradient, int width, float gradScale, int rowFrom, int rowTo) {
        throw new IllegalStateException(this + " absorbs no activation");
    }
}
