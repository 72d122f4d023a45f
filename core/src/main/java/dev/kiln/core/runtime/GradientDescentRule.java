package dev.kiln.core.runtime;

import dev.kiln.core.kernel.OptimizerKernels;
import java.lang.foreign.MemorySegment;

/**
 * Gradient descent: w −= lr·g, or with momentum μ: m = μm − lr·g and w += m (Nesterov: w += μm − lr·g
 * with the new m). Keeps one slot, the momentum, and none when μ is 0.
 *
 * <pre>{@code
 * UpdateRule sgd = new GradientDescentRule(0.01f, 0.9f, true);
 * }</pre>
 */
public record GradientDescentRule(float learningRate, float momentum, boolean nesterov) implements UpdateRule {
    public GradientDescentRule {
        HyperParameters.requireNonNegative("learning rate", learningRate);
        if (!(momentum >= 0f && momentum <= 1f)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
    }

    @Override
    public int slots() {
        return momentum == 0f ? 0 : 1;
    }

    @Override
    public Bound bind(UpdateBuffers buffers) {
        return new Bound() {
            private final MemorySegment weights = buffers.weights();
            private final MemorySegment gradients = buffers.gradients();
            private final MemorySegment velocity = momentum == 0f ? null : buffers.slot(0);
            private float lr;

            @Override
            public void prepare(long step, float learningRate) {
                lr = learningRate;
            }

            @Override
            public boolean update(long from, long to, boolean write) {
                return velocity == null
                        ? OptimizerKernels.sgd(weights, gradients, lr, from, to, write)
                        : OptimizerKernels.sgdMomentum(weights, gradients, velocity, lr, momentum, nesterov, from, to,
                                write);
            }

            /** |w| + 2|μm − lr·g| + |lr·g|: the new momentum, and Nesterov's μm' − lr·g, with lr·g formed first. */
            @Override
            public boolean tameUpdateStaysFinite() {
                double stepBound = (double) lr * TameBounds.GRADIENT;
                double velocityBound = momentum * TameBounds.VALUE + stepBound;
                return TameBounds.finite(TameBounds.VALUE + 2 * velocityBound + stepBound);
            }
        };
    }
}
