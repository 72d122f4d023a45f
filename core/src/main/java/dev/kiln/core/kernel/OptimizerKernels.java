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
            long o = e * Float.BYTES;
            FloatVector step = FloatVector.fromMemorySegment(S, g, o, ORDER, k).mul(lr);
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER, k);
            weight.sub(step).intoMemorySegment(w, o, ORDER, k);
        }
    }

    /** m = μ·m − lr·g; then w += m, or with Nesterov w += μ·m − lr·g using the new m. */
    public static void sgdMomentum(MemorySegment w, MemorySegment g, MemorySegment m, float lr, float momentum,
            boolean nesterov, long from, long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            long o = e * Float.BYTES;
            FloatVector step = FloatVector.fromMemorySegment(S, g, o, ORDER, k).mul(lr);
            FloatVector velocity = FloatVector.fromMemorySegment(S, m, o, ORDER, k).mul(momentum).sub(step);
            velocity.intoMemorySegment(m, o, ORDER, k);
            FloatVector delta = nesterov ? velocity.mul(momentum).sub(step) : velocity;
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER, k);
            weight.add(delta).intoMemorySegment(w, o, ORDER, k);
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
        // A loop-invariant mask rather than a branch: a vector assigned on one path only would be boxed.
        VectorMask<Float> decaying = S.maskAll(decay != 0f);
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            long o = e * Float.BYTES;
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER, k);
            weight = weight.sub(weight.mul(decay));
            FloatVector grad = FloatVector.fromMemorySegment(S, g, o, ORDER, k);
            FloatVector mean = FloatVector.fromMemorySegment(S, m, o, ORDER, k);
            mean = mean.add(grad.sub(mean).mul(oneMinusBeta1));
            FloatVector variance = FloatVector.fromMemorySegment(S, v, o, ORDER, k);
            variance = variance.add(grad.mul(grad).sub(variance).mul(oneMinusBeta2));
            mean.intoMemorySegment(m, o, ORDER, k);
            variance.intoMemorySegment(v, o, ORDER, k);
            FloatVector denominator = variance.lanewise(VectorOperators.SQRT).add(epsilon);
            weight.sub(mean.mul(alpha).div(denominator)).intoMemorySegment(w, o, ORDER, k);
        }
    }

    /** RMSprop: v = ρ·v + (1 − ρ)·g²; w −= lr·g/√(v + ε), ε inside the root as in Keras 3. */
    public static void rmsprop(MemorySegment w, MemorySegment g, MemorySegment v, float lr, float rho,
            float epsilon, long from, long to) {
        float oneMinusRho = 1f - rho;
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            long o = e * Float.BYTES;
            FloatVector grad = FloatVector.fromMemorySegment(S, g, o, ORDER, k);
            FloatVector velocity = FloatVector.fromMemorySegment(S, v, o, ORDER, k);
            velocity = velocity.mul(rho).add(grad.mul(grad).mul(oneMinusRho));
            velocity.intoMemorySegment(v, o, ORDER, k);
            FloatVector step = grad.mul(lr).div(velocity.add(epsilon).lanewise(VectorOperators.SQRT));
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER, k);
            weight.sub(step).intoMemorySegment(w, o, ORDER, k);
        }
    }

    /** Adagrad: acc += g²; w −= lr·g/√(acc + ε). The caller starts the accumulator at Keras' 0.1. */
    public static void adagrad(MemorySegment w, MemorySegment g, MemorySegment acc, float lr, float epsilon,
            long from, long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> k = S.indexInRange(e, to);
            long o = e * Float.BYTES;
            FloatVector grad = FloatVector.fromMemorySegment(S, g, o, ORDER, k);
            FloatVector accumulator = FloatVector.fromMemorySegment(S, acc, o, ORDER, k);
            accumulator = accumulator.add(grad.mul(grad));
            accumulator.intoMemorySegment(acc, o, ORDER, k);
            FloatVector step = grad.mul(lr).div(accumulator.add(epsilon).lanewise(VectorOperators.SQRT));
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER, k);
            weight.sub(step).intoMemorySegment(w, o, ORDER, k);
        }
    }
}
