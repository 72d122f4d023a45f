package dev.kiln.regularizers;

/**
 * Keras' {@code L1}: penalty {@code l1 · Σ|w|}; {@code "l1"} is {@code L1(0.01)}.
 *
 * <pre>{@code
 * Dense(64).kernelRegularizer(new L1(0.001));
 * }</pre>
 */
public record L1(double l1) implements Regularizer {
    public L1 {
        Regularizer.check("l1", l1);
    }

    /** Keras' default, 0.01. */
    public L1() {
        this(0.01);
    }

    @Override
    public double l2() {
        return 0;
    }
}
