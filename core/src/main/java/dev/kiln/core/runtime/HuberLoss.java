package dev.kiln.core.runtime;

import dev.kiln.core.kernel.LossKernels;
import java.lang.foreign.MemorySegment;

/**
 * Keras' Huber loss: the mean over a row of ½e² where |e| ≤ δ and δ·|e| − ½δ² beyond, e = output − target.
 * δ must be positive and finite.
 *
 * <pre>{@code
 * LossFunction huber = new HuberLoss(1f);
 * }</pre>
 */
public record HuberLoss(float delta) implements LossFunction {
    public HuberLoss {
        if (!(delta > 0) || !Float.isFinite(delta)) {
            throw new IllegalArgumentException("Huber delta must be positive and finite but is " + delta);
        }
    }

    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return LossKernels.huber(output, target, delta, gradient, width, gradScale, rowFrom, rowTo);
    }
}
