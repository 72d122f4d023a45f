package dev.kiln.core.runtime;

import dev.kiln.core.kernel.OptimizerKernels;
import java.lang.foreign.MemorySegment;

/**
 * Adagrad: a += g²; w −= lr·g/√(a + ε). Keeps one slot, the accumulator a (never negative), which
 * starts at {@code initialAccumulator}.
 *
 * <pre>{@code
 * UpdateRule adagrad = new AdagradRule(1e-3f, 0.1f, 1e-7f);
 * }</pre>
 */
public record AdagradRule(float learningRate, float initialAccumulator, float epsilon) implements UpdateRule {
    public AdagradRule {
        HyperParameters.requireNonNegative("learning rate", learningRate);
        HyperParameters.requireNonNegative("initial accumulator value", initialAccumulator);
        HyperParameters.requireNonNegative("epsilon", epsilon);
    }

    @Override
    public int slots() {
        return 1;
    }

    @Override
    public float initialSlotValue() {
        return initialAccumulator;
    }

    @Override
    public boolean slotNonNegative(int slot) {
        return true;
    }

    @Override
    public Bound bind(UpdateBuffers buffers) {
        return new Bound() {
            private final MemorySegment weights = buffers.weights();
            private final MemorySegment gradients = buffers.gradients();
            private final MemorySegment accumulator = buffers.slot(0);
            private float lr;

            @Override
            public void prepare(long step, float learningRate) {
                lr = learningRate;
            }

            @Override
            public boolean update(long from, long to, boolean write) {
                return OptimizerKernels.adagrad(weights, gradients, accumulator, lr, epsilon, from, to, write);
            }

            /** |w| + |g·lr|·max(1, 1/√ε): a' >= 0, so √(a' + ε) >= √ε, and g·lr is formed before the division. */
            @Override
            public boolean tameUpdateStaysFinite() {
                return epsilon > 0 && TameBounds.finite(TameBounds.VALUE
                        + TameBounds.GRADIENT * lr * Math.max(1, 1 / Math.sqrt(epsilon)));
            }
        };
    }
}
