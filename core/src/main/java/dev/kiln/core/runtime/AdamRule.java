package dev.kiln.core.runtime;

import dev.kiln.core.kernel.OptimizerKernels;
import java.lang.foreign.MemorySegment;

/**
 * Adam with the bias correction folded into the step size and ε added to the uncorrected √v, as
 * Keras computes it; {@code weightDecay} > 0 makes it AdamW (w −= w·wd·lr before the update). Keeps
 * two slots: the first moment m and the second moment v (never negative).
 *
 * <pre>{@code
 * UpdateRule adamW = new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0.004f);
 * }</pre>
 */
public record AdamRule(float learningRate, float beta1, float beta2, float epsilon, float weightDecay)
        implements UpdateRule {
    public AdamRule {
        HyperParameters.requireNonNegative("learning rate", learningRate);
        HyperParameters.requireUnit("beta_1", beta1);
        HyperParameters.requireUnit("beta_2", beta2);
        HyperParameters.requireNonNegative("epsilon", epsilon);
        HyperParameters.requireNonNegative("weight decay", weightDecay);
    }

    @Override
    public int slots() {
        return 2;
    }

    /** The second moment v. */
    @Override
    public boolean slotNonNegative(int slot) {
        return slot == 1;
    }

    @Override
    public Bound bind(UpdateBuffers buffers) {
        return new Bound() {
            private final MemorySegment weights = buffers.weights();
            private final MemorySegment gradients = buffers.gradients();
            private final MemorySegment mean = buffers.slot(0);
            private final MemorySegment variance = buffers.slot(1);
            /** lr·√(1 − β2^t)/(1 − β1^t): the step size with both bias corrections in it. */
            private float alpha;
            /** lr·weight_decay, the fraction of each weight AdamW takes off first. */
            private float decay;

            @Override
            public void prepare(long step, float learningRate) {
                alpha = (float) (learningRate * Math.sqrt(1 - Math.pow(beta2, step)) / (1 - Math.pow(beta1, step)));
                decay = learningRate * weightDecay;
            }

            @Override
            public boolean update(long from, long to, boolean write) {
                return OptimizerKernels.adam(weights, gradients, mean, variance, alpha, beta1, beta2, epsilon, decay,
                        from, to, write);
            }

            /**
             * |w − w·decay| + |alpha·m'|·max(1, 1/ε), where |m'| = |m + (g − m)(1 − β1)| <= 2B + G and
             * √v' + ε >= ε; with ε = 0 nothing bounds the division.
             */
            @Override
            public boolean tameUpdateStaysFinite() {
                double b = TameBounds.VALUE;
                return epsilon > 0 && TameBounds.finite(b * (1 + decay)
                        + alpha * (2 * b + TameBounds.GRADIENT) * Math.max(1, 1 / epsilon));
            }
        };
    }
}
