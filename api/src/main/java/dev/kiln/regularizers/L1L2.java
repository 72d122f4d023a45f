package dev.kiln.regularizers;

/**
 * Keras' {@code L1L2}: penalty {@code l1 · Σ|w| + l2 · Σw²}. The class defaults to 0 for both, as in
 * Keras; the name {@code "l1_l2"} gives 0.01 for both, as Keras' {@code l1_l2()} function does.
 *
 * <pre>{@code
 * Dense(64).kernelRegularizer(new L1L2(1e-5, 1e-4));
 * }</pre>
 */
public record L1L2(double l1, double l2) implements Regularizer {
    public L1L2 {
        Regularizer.check("l1", l1);
        Regularizer.check("l2", l2);
    }

    public L1L2() {
        this(0, 0);
    }
}
