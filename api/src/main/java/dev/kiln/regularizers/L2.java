package dev.kiln.regularizers;

/**
 * Keras' {@code L2}: penalty {@code l2 · Σw²} (no ½); {@code "l2"} is {@code L2(0.01)}.
 *
 * <pre>{@code
 * Dense(64).kernelRegularizer(new L2(0.001));
 * }</pre>
 */
public record L2(double l2) implements Regularizer {
    public L2 {
        Regularizer.check("l2", l2);
    }

    /** Keras' default, 0.01. */
    public L2() {
        this(0.01);
    }

    @Override
    public double l1() {
        return 0;
    }
}
