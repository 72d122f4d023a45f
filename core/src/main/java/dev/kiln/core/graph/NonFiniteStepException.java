package dev.kiln.core.graph;

/**
 * A training step found a NaN or infinite loss, or a non-finite gradient, and stopped before its
 * optimizer update: the parameters, the optimizer state and the step count are those from before it.
 *
 * <pre>{@code
 * try {
 *     graph.trainStep(rows);
 * } catch (NonFiniteStepException e) {
 *     double loss = e.lossSum();        // NaN, ±∞, or finite when only a gradient overflowed
 * }
 * }</pre>
 */
public final class NonFiniteStepException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    private final double lossSum;
    private final String parameter;

    NonFiniteStepException(double lossSum, String parameter) {
        super(parameter == null
                ? "the loss of this batch is " + lossSum + "; its update was not applied"
                : "the gradient of " + parameter + " holds a non-finite value (batch loss sum " + lossSum
                        + "); the update was not applied");
        this.lossSum = lossSum;
        this.parameter = parameter;
    }

    /** The sum of the per-sample losses of the batch that failed. */
    public double lossSum() {
        return lossSum;
    }

    /** The parameter whose gradient was not finite, or null when the loss itself was not. */
    public String parameter() {
        return parameter;
    }
}
