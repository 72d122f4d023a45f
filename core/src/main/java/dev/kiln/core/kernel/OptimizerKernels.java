package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Keras 3's optimizer update rules, each one fused pass over elements [from, to) of a parameter
 * buffer {@code w}, its gradient {@code g} and the rule's slot buffers.
 *
 * <p>The arithmetic is float32 in the order Keras writes it. The vector body and the scalar tail do
 * the same correctly rounded operations (+, −, ×, ÷, √, no fused multiply-add), so an element's new
 * value is the same whichever path updates it, and so for any split of the range.
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
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector step = FloatVector.fromMemorySegment(S, g, o, ORDER).mul(lr);
            FloatVector.fromMemorySegment(S, w, o, ORDER).sub(step).intoMemorySegment(w, o, ORDER);
        }
        for (; e < to; e++) {
            w.setAtIndex(JAVA_FLOAT, e, w.getAtIndex(JAVA_FLOAT, e) - g.getAtIndex(JAVA_FLOAT, e) * lr);
        }
    }

    /** m = μ·m − lr·g; then w += m, or with Nesterov w += μ·m − lr·g using the new m. */
    public static void sgdMomentum(MemorySegment w, MemorySegment g, MemorySegment m, float lr, float momentum,
            boolean nesterov, long from, long to) {
        // Nesterov's extra term is μ·m_new − lr·g; plain momentum adds m_new alone, i.e. scale 1 and no step.
        float scale = nesterov ? momentum : 1f;
        float extraStep = nesterov ? 1f : 0f;
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector step = FloatVector.fromMemorySegment(S, g, o, ORDER).mul(lr);
            FloatVector velocity = FloatVector.fromMemorySegment(S, m, o, ORDER).mul(momentum).sub(step);
            velocity.intoMemorySegment(m, o, ORDER);
            FloatVector delta = velocity.mul(scale).sub(step.mul(extraStep));
            FloatVector.fromMemorySegment(S, w, o, ORDER).add(delta).intoMemorySegment(w, o, ORDER);
        }
        for (; e < to; e++) {
            float step = g.getAtIndex(JAVA_FLOAT, e) * lr;
            float velocity = m.getAtIndex(JAVA_FLOAT, e) * momentum - step;
            m.setAtIndex(JAVA_FLOAT, e, velocity);
            w.setAtIndex(JAVA_FLOAT, e, w.getAtIndex(JAVA_FLOAT, e) + (velocity * scale - step * extraStep));
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
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER);
            // Unconditional: with decay 0 it leaves every finite weight as it was, and a branch that
            // reassigned the vector on one path only would make C2 box it.
            weight = weight.sub(weight.mul(decay));
            FloatVector grad = FloatVector.fromMemorySegment(S, g, o, ORDER);
            FloatVector mean = FloatVector.fromMemorySegment(S, m, o, ORDER);
            mean = mean.add(grad.sub(mean).mul(oneMinusBeta1));
            FloatVector variance = FloatVector.fromMemorySegment(S, v, o, ORDER);
            variance = variance.add(grad.mul(grad).sub(variance).mul(oneMinusBeta2));
            mean.intoMemorySegment(m, o, ORDER);
            variance.intoMemorySegment(v, o, ORDER);
            FloatVector denominator = variance.lanewise(VectorOperators.SQRT).add(epsilon);
            weight.sub(mean.mul(alpha).div(denominator)).intoMemorySegment(w, o, ORDER);
        }
        for (; e < to; e++) {
            float weight = w.getAtIndex(JAVA_FLOAT, e);
            weight = weight - weight * decay;
            float grad = g.getAtIndex(JAVA_FLOAT, e);
            float mean = m.getAtIndex(JAVA_FLOAT, e);
            mean = mean + (grad - mean) * oneMinusBeta1;
            float variance = v.getAtIndex(JAVA_FLOAT, e);
            variance = variance + (grad * grad - variance) * oneMinusBeta2;
            m.setAtIndex(JAVA_FLOAT, e, mean);
            v.setAtIndex(JAVA_FLOAT, e, variance);
            w.setAtIndex(JAVA_FLOAT, e, weight - mean * alpha / ((float) Math.sqrt(variance) + epsilon));
        }
    }

    /** RMSprop: v = ρ·v + (1 − ρ)·g²; w −= lr·g/√(v + ε), ε inside the root as in Keras 3. */
    public static void rmsprop(MemorySegment w, MemorySegment g, MemorySegment v, float lr, float rho,
            float epsilon, long from, long to) {
        float oneMinusRho = 1f - rho;
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector grad = FloatVector.fromMemorySegment(S, g, o, ORDER);
            FloatVector velocity = FloatVector.fromMemorySegment(S, v, o, ORDER);
            velocity = velocity.mul(rho).add(grad.mul(grad).mul(oneMinusRho));
            velocity.intoMemorySegment(v, o, ORDER);
            FloatVector step = grad.mul(lr).div(velocity.add(epsilon).lanewise(VectorOperators.SQRT));
            FloatVector.fromMemorySegment(S, w, o, ORDER).sub(step).intoMemorySegment(w, o, ORDER);
        }
        for (; e < to; e++) {
            float grad = g.getAtIndex(JAVA_FLOAT, e);
            float velocity = v.getAtIndex(JAVA_FLOAT, e) * rho + grad * grad * oneMinusRho;
            v.setAtIndex(JAVA_FLOAT, e, velocity);
            float step = grad * lr / (float) Math.sqrt(velocity + epsilon);
            w.setAtIndex(JAVA_FLOAT, e, w.getAtIndex(JAVA_FLOAT, e) - step);
        }
    }

    /** Adagrad: acc += g²; w −= lr·g/√(acc + ε). The caller starts the accumulator at Keras' 0.1. */
    public static void adagrad(MemorySegment w, MemorySegment g, MemorySegment acc, float lr, float epsilon,
            long from, long to) {
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector grad = FloatVector.fromMemorySegment(S, g, o, ORDER);
            FloatVector accumulator = FloatVector.fromMemorySegment(S, acc, o, ORDER).add(grad.mul(grad));
            accumulator.intoMemorySegment(acc, o, ORDER);
            FloatVector step = grad.mul(lr).div(accumulator.add(epsilon).lanewise(VectorOperators.SQRT));
            FloatVector.fromMemorySegment(S, w, o, ORDER).sub(step).intoMemorySegment(w, o, ORDER);
        }
        for (; e < to; e++) {
            float grad = g.getAtIndex(JAVA_FLOAT, e);
            float accumulator = acc.getAtIndex(JAVA_FLOAT, e) + grad * grad;
            acc.setAtIndex(JAVA_FLOAT, e, accumulator);
            float step = grad * lr / (float) Math.sqrt(accumulator + epsilon);
            w.setAtIndex(JAVA_FLOAT, e, w.getAtIndex(JAVA_FLOAT, e) - step);
        }
    }
}
