package dev.kiln.core.runtime;

/**
 * A training step found that it would make something non-finite and stopped before writing any
 * state: the parameters, the optimizer slots, the moving statistics and the step count are those
 * from before it. {@link #source()} says what went non-finite first.
 *
 * <pre>{@code
 * try {
 *     graph.trainStep(rows);
 * } catch (NonFiniteStepException e) {
 *     double loss = e.lossSum();        // NaN, ±∞, or finite when only a gradient or an update overflowed
 * }
 * }</pre>
 */
public final class NonFiniteStepException extends ArithmeticException {
    private static final long serialVersionUID = 1L;

    /** What the step found non-finite. */
    public enum Source {
        /** The batch's loss. */
        LOSS,
        /** The gradient of {@link #parameter()}, after any clipping. */
        GRADIENT,
        /** The new value of {@link #parameter()} or of its optimizer slots, from a finite gradient. */
        UPDATE,
        /** The batch statistics that would move the state {@link #parameter()} (a moving mean or variance). */
        STATE
    }

    private final double lossSum;
    private final Source source;
    private final String parameter;

    public NonFiniteStepException(double lossSum, Source source, String parameter) {
        super(switch (source) {
            case LOSS -> "the loss of this batch is " + lossSum;
            case GRADIENT -> "the gradient of " + parameter + " holds a non-finite value (batch loss sum " + lossSum + ")";
            case UPDATE -> "the optimizer update would make " + parameter + " or its optimizer state non-finite"
                    + " (batch loss sum " + lossSum + ")";
            case STATE -> "the batch statistics that update " + parameter + " are not finite (batch loss sum "
                    + lossSum + ")";
        } + "; nothing was updated");
        this.lossSum = lossSum;
        this.source = source;
        this.parameter = parameter;
    }

    /** The sum of the per-sample losses of the batch that failed. */
    public double lossSum() {
        return lossSum;
    }

    /** What went non-finite. */
    public Source source() {
        return source;
    }

    /** The parameter or state at fault, or null when the loss itself was not finite. */
    public String parameter() {
        return parameter;
    }
}
