package dev.kiln.core.runtime;

import dev.kiln.core.kernel.OptimizerKernels;
import java.lang.foreign.MemorySegment;

/**
 * RMSprop as Keras 3 computes it: v = ρv + (1−ρ)g²; w −= lr·g/√(v + ε). Keeps one slot, the mean of
 * squares v (never negative).
 *
 * <pre>{@code
 * UpdateRule rms = new RmsPropRule(1e-3f, 0.9f, 1e-7f);
 * }</pre>
 */
public record RmsPropRule(float learningRate, float rho, float epsilon) implements UpdateRule {
    public RmsPropRule {
        HyperParameters.requireNonNegative("learning rate", learningRate);
        HyperParameters.requireUnit("rho", rho);
        HyperParameters.requireNonNegative("epsilon", epsilon);
    }

    @Override
    public int slots() {
        return 1;
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
            private final MemorySegment velocity = buffers.slot(0);
            private float lr;

            @Override
            public void prepare(long step, float learningRate) {
                lr = learningRate;
            }

            @Override
            public boolean update(long from, long to, boolean write) {
                return OptimizerKernels.rmsprop(weights, gradients, velocity, lr, rho, epsilon, from, to, write);
            }

            /** |w| + |g·lr|·max(1, 1/√ε): v' >= 0, so √(v' + ε) >= √ε, and g·lr is formed before the division. */
            @Override
            public boolean tameUpdateStaysFinite() {
                return epsilon > 0 && TameBounds.finite(TameBounds.VALUE
                        + TameBounds.GRADIENT * lr * Math.max(1, 1 / Math.sqrt(epsilon)));
            }
        };
    }
}
