package dev.kiln.core.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Keras 3's optimizer update rules, each one fused pass over elements [from, to) of a parameter
 * buffer {@code w}, its gradient {@code g} and the rule's slot buffers.
 *
 * <p>The arithmetic is float32 in the same order as Keras writes it, and every element goes through
 * the same vector code (the last partial vector is masked, not scalar), so an element's new value
 * does not depend on how the range was split.
 *
 * <pre>{@code
 * OptimizerKernels.adam(w, g, m, v, alpha, 0.9f, 0.999f, 1e-7f, 0f, 0, size);
 * }</pre>
 */
public final class OptimizerKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private OptimizerKernels() {
    }

    /** w −= lr·g. */
    public static void sgd(MemorySegment w, MemorySegment g, float lr, long from, long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            FloatVector step = load(g, e, k).mul(lr);
            store(load(w, e, k).sub(step), w, e, k);
        }
    }

    /** m = μ·m − lr·g; then w += m, or with Nesterov w += μ·m − lr·g using the new m. */
    public static void sgdMomentum(MemorySegment w, MemorySegment g, MemorySegment m, float lr, float momentum,
            boolean nesterov, long from, long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            FloatVector step = load(g, e, k).mul(lr);
            FloatVector velocity = load(m, e, k).mul(momentum).sub(step);
            store(velocity, m, e, k);
            FloatVector delta = nesterov ? velocity.mul(momentum).sub(step) : velocity;
            store(load(w, e, k).add(delta), w, e, k);
        }
    }

    /**
     * Adam, and AdamW when {@code decay} is non-zero. First w −= w·decay (decoupled weight decay, the
     * caller passes lr·weight_decay); then m += (g − m)(1 − β1), v += (g² − v)(1 − β2),
     * w −= alpha·m/(√v + ε). The bias correction is folded into the step size by the caller:
     * alpha = lr·√(1 − β2^t)/(1 − β1^t), with ε added to the uncorrected √v as Keras does.
     */
    public static void adam(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, float alpha,
            float beta1, float beta2, float epsilon, float decay, long from, long to) {
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            FloatVector weight = load(w, e, k);
            if (decay != 0f) {
                weight = weight.sub(weight.mul(decay));
            }
            FloatVector grad = load(g, e, k);
            FloatVector mean = load(m, e, k);
            mean = mean.add(grad.sub(mean).mul(oneMinusBeta1));
            FloatVector variance = load(v, e, k);
            variance = variance.add(grad.mul(grad).sub(variance).mul(oneMinusBeta2));
            store(mean, m, e, k);
            store(variance, v, e, k);
            FloatVector denominator = variance.lanewise(VectorOperators.SQRT).add(epsilon);
            store(weight.sub(mean.mul(alpha).div(denominator)), w, e, k);
        }
    }

    /** RMSprop: v = ρ·v + (1 − ρ)·g²; w −= lr·g/√(v + ε), ε inside the root as in Keras 3. */
    public static void rmsprop(MemorySegment w, MemorySegment g, MemorySegment v, float lr, float rho,
            float epsilon, long from, long to) {
        float oneMinusRho = 1f - rho;
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            FloatVector grad = load(g, e, k);
            FloatVector velocity = load(v, e, k).mul(rho).add(grad.mul(grad).mul(oneMinusRho));
            store(velocity, v, e, k);
            FloatVector step = grad.mul(lr).div(velocity.add(epsilon).lanewise(VectorOperators.SQRT));
            store(load(w, e, k).sub(step), w, e, k);
        }
    }

    /** Adagrad: acc += g²; w −= lr·g/√(acc + ε). The caller starts the accumulator at Keras' 0.1. */
    public static void adagrad(MemorySegment w, MemorySegment g, MemorySegment acc, float lr, float epsilon,
            long from, long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            FloatVector grad = load(g, e, k);
            FloatVector accumulator = load(acc, e, k).add(grad.mul(grad));
            store(accumulator, acc, e, k);
            FloatVector step = grad.mul(lr).div(accumulator.add(epsilon).lanewise(VectorOperators.SQRT));
            store(load(w, e, k).sub(step), w, e, k);
        }
    }

    private static FloatVector load(MemorySegment seg, long index, VectorMask<Float> k) {
        return FloatVector.fromMemorySegment(S, seg, index * Float.BYTES, ORDER, k);
    }

    private static void store(FloatVector v, MemorySegment seg, long index, VectorMask<Float> k) {
        v.intoMemorySegment(seg, index * Float.BYTES, ORDER, k);
    }
}
