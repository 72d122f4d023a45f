package dev.kiln.regularizers;

/**
 * A penalty on a layer's weights added to the loss, as Keras' regularizers: {@link L1}, {@link L2},
 * {@link L1L2}. The penalty is not divided by the batch size, it is part of the loss that fit and
 * evaluate report, and its gradient is added to the weights' gradient.
 *
 * <pre>{@code
 * Dense(64, "relu").kernelRegularizer(L2(0.01)).biasRegularizer("l1");
 * }</pre>
 */
public sealed interface Regularizer permits L1, L2, L1L2 {
    /** The factor of Σ|w|. */
    double l1();

    /** The factor of Σw². */
    double l2();

    /** Keras' class name, e.g. {@code L2}. */
    default String className() {
        return getClass().getSimpleName();
    }

    static double check(String what, double factor) {
        if (!(factor >= 0) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + factor);
        }
        return factor;
    }
}
