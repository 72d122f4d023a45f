package dev.kiln.core.runtime;

/**
 * A penalty on a parameter's values added to the loss: l1·Σ|w| + l2·Σw² (not divided by the batch),
 * its gradient added to the parameter's.
 *
 * <pre>{@code
 * var kernel = new Parameter("dense/kernel", new WeightPenalty(0f, 0.01f), 784, 64);
 * }</pre>
 */
public record WeightPenalty(float l1, float l2) {
    public WeightPenalty {
        if (!(l1 >= 0f) || !(l2 >= 0f) || Float.isInfinite(l1) || Float.isInfinite(l2)) {
            throw new IllegalArgumentException("penalty factors must be finite numbers >= 0, got l1=" + l1 + ", l2=" + l2);
        }
    }
}
