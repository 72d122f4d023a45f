package dev.kiln.core.runtime;

import dev.kiln.core.kernel.Activation;

/**
 * The losses the engine computes; each per-sample loss is averaged over the batch.
 * {@code PROBABILITIES} variants take the model's probabilities, {@code LOGITS} variants raw scores.
 */
public enum LossFunction {
    MEAN_SQUARED_ERROR(false, null),
    MEAN_ABSOLUTE_ERROR(false, null),
    BINARY_CROSS_ENTROPY(false, Activation.SIGMOID),
    BINARY_CROSS_ENTROPY_FROM_LOGITS(false, null),
    CATEGORICAL_CROSS_ENTROPY(false, Activation.SOFTMAX),
    CATEGORICAL_CROSS_ENTROPY_FROM_LOGITS(false, null),
    SPARSE_CATEGORICAL_CROSS_ENTROPY(true, Activation.SOFTMAX),
    SPARSE_CATEGORICAL_CROSS_ENTROPY_FROM_LOGITS(true, null);

    private final boolean sparse;
    private final Activation fusesWith;

    LossFunction(boolean sparse, Activation fusesWith) {
        this.sparse = sparse;
        this.fusesWith = fusesWith;
    }

    /** True when targets are one class index per row rather than a row as wide as the output. */
    public boolean sparseTargets() {
        return sparse;
    }

    /**
     * The output activation this loss absorbs when it ends the graph: softmax + cross-entropy and
     * sigmoid + binary cross-entropy are computed together from the logits, which is both cheaper and
     * exact where the separate forms would saturate. Null when it fuses with nothing.
     */
    public Activation fusesWith() {
        return fusesWith;
    }

    /** The width of one target row for an output of {@code outputWidth}. */
    public int targetWidth(int outputWidth) {
        return sparse ? 1 : outputWidth;
    }
}
