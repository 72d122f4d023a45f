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
 * <p>Every rule runs in two modes. With {@code write} false it computes the new weights and slots
 * without storing them and only answers whether all of them would be finite: a training step asks
 * that when it cannot prove it from bounds, so an update that would overflow (a gradient of 1e20
 * squared into Adam's second moment) is refused before it touches any state. With {@code write} true
 * it stores them and answers a stronger question about what it stored, whether it is tame: every new
 * weight and momentum below {@link #TAME_VALUE} in magnitude, every new sum of squares below
 * {@link #TAME_SQUARES}. From tame state and tame gradients the next step proves its update finite
 * with a few scalar bounds, and needs no checking pass (which would read all the state once more).
 *
 * <p>The arithmetic is float32 in the order Keras writes it. The vector body and the scalar tail do
 * the same correctly rounded operations (+, −, ×, ÷, √, no fused multiply-add), so an element's new
 * value is the same whichever path updates it, and so for any split of the range.
 *
 * <pre>{@code
 * if (OptimizerKernels.adam(w, g, m, v, alpha, 0.9f, 0.999f, 1e-7f, 0f, 0, size, false)) {
 *     OptimizerKernels.adam(w, g, m, v, alpha, 0.9f, 0.999f, 1e-7f, 0f, 0, size, true);
 * }
 * }</pre>
 */
public final class OptimizerKernels {
    /** A tame weight or momentum is below this in magnitude (2^65). */
    public static final float TAME_VALUE = 0x1p65f;
    /** A tame second moment or accumulator is below this (2^121). */
    public static final float TAME_SQUARES = 0x1p121f;

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    /** x·2^63 is finite exactly when |x| < 2^65, and x·2^7 when |x| < 2^121: power-of-two scales are exact. */
    private static final float VALUE_SCALE = 0x1p63f;
    private static final float SQUARES_SCALE = 0x1p7f;

    private OptimizerKernels() {
    }

    /** w −= lr·g. */
    public static boolean sgd(MemorySegment w, MemorySegment g, float lr, long from, long to, boolean write) {
        float values = write ? VALUE_SCALE : 1f;
        FloatVector probe = FloatVector.zero(S);
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector step = FloatVector.fromMemorySegment(S, g, o, ORDER).mul(lr);
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER).sub(step);
            probe = probe.add(nonFiniteProbe(weight.mul(values)));
            if (write) {
                weight.intoMemorySegment(w, o, ORDER);
            }
        }
        boolean finite = allZero(probe);
        for (; e < to; e++) {
            float weight = w.getAtIndex(JAVA_FLOAT, e) - g.getAtIndex(JAVA_FLOAT, e) * lr;
            finite &= Float.isFinite(weight * values);
            if (write) {
                w.setAtIndex(JAVA_FLOAT, e, weight);
            }
        }
        return finite;
    }

    /** m = μ·m − lr·g; then w += m, or with Nesterov w += μ·m − lr·g using the new m. */
    public static boolean sgdMomentum(MemorySegment w, MemorySegment g, MemorySegment m, float lr, float momentum,
            boolean nesterov, long from, long to, boolean write) {
        // Nesterov's extra term is μ·m_new − lr·g; plain momentum adds m_new alone, i.e. scale 1 and no step.
        float scale = nesterov ? momentum : 1f;
        float extraStep = nesterov ? 1f : 0f;
        float values = write ? VALUE_SCALE : 1f;
        FloatVector probe = FloatVector.zero(S);
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector step = FloatVector.fromMemorySegment(S, g, o, ORDER).mul(lr);
            FloatVector velocity = FloatVector.fromMemorySegment(S, m, o, ORDER).mul(momentum).sub(step);
            FloatVector delta = velocity.mul(scale).sub(step.mul(extraStep));
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER).add(delta);
            // Summed apart first: one add per vector on the loop-carried chain.
            probe = probe.add(nonFiniteProbe(velocity.mul(values)).add(nonFiniteProbe(weight.mul(values))));
            if (write) {
                velocity.intoMemorySegment(m, o, ORDER);
                weight.intoMemorySegment(w, o, ORDER);
            }
        }
        boolean finite = allZero(probe);
        for (; e < to; e++) {
            float step = g.getAtIndex(JAVA_FLOAT, e) * lr;
            float velocity = m.getAtIndex(JAVA_FLOAT, e) * momentum - step;
            float weight = w.getAtIndex(JAVA_FLOAT, e) + (velocity * scale - step * extraStep);
            finite &= Float.isFinite(velocity * values) && Float.isFinite(weight * values);
            if (write) {
                m.setAtIndex(JAVA_FLOAT, e, velocity);
                w.setAtIndex(JAVA_FLOAT, e, weight);
            }
        }
        return finite;
    }

    /**
     * Adam, and AdamW when {@code decay} is non-zero. First w −= w·decay (decoupled weight decay, the
     * caller passes lr·weight_decay); then m += (g − m)(1 − β1), v += (g² − v)(1 − β2),
     * w −= alpha·m/(√v + ε). The bias correction is folded into the step size by the caller:
     * alpha = lr·√(1 − β2^t)/(1 − β1^t), with ε added to the uncorrected √v as Keras does.
     */
    public static boolean adam(MemorySegment w, MemorySegment g, MemorySegment m, MemorySegment v, float alpha,
            float beta1, float beta2, float epsilon, float decay, long from, long to, boolean write) {
        float oneMinusBeta1 = 1f - beta1;
        float oneMinusBeta2 = 1f - beta2;
        float values = write ? VALUE_SCALE : 1f;
        float squares = write ? SQUARES_SCALE : 1f;
        FloatVector probe = FloatVector.zero(S);
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
            FloatVector denominator = variance.lanewise(VectorOperators.SQRT).add(epsilon);
            weight = weight.sub(mean.mul(alpha).div(denominator));
            probe = probe.add(nonFiniteProbe(mean.mul(values)).add(nonFiniteProbe(variance.mul(squares)))
                    .add(nonFiniteProbe(weight.mul(values))));
            if (write) {
                mean.intoMemorySegment(m, o, ORDER);
                variance.intoMemorySegment(v, o, ORDER);
                weight.intoMemorySegment(w, o, ORDER);
            }
        }
        boolean finite = allZero(probe);
        for (; e < to; e++) {
            float weight = w.getAtIndex(JAVA_FLOAT, e);
            weight = weight - weight * decay;
            float grad = g.getAtIndex(JAVA_FLOAT, e);
            float mean = m.getAtIndex(JAVA_FLOAT, e);
            mean = mean + (grad - mean) * oneMinusBeta1;
            float variance = v.getAtIndex(JAVA_FLOAT, e);
            variance = variance + (grad * grad - variance) * oneMinusBeta2;
            weight = weight - mean * alpha / ((float) Math.sqrt(variance) + epsilon);
            finite &= Float.isFinite(mean * values) && Float.isFinite(variance * squares)
                    && Float.isFinite(weight * values);
            if (write) {
                m.setAtIndex(JAVA_FLOAT, e, mean);
                v.setAtIndex(JAVA_FLOAT, e, variance);
                w.setAtIndex(JAVA_FLOAT, e, weight);
            }
        }
        return finite;
    }

    /** RMSprop: v = ρ·v + (1 − ρ)·g²; w −= lr·g/√(v + ε), ε inside the root as in Keras 3. */
    public static boolean rmsprop(MemorySegment w, MemorySegment g, MemorySegment v, float lr, float rho,
            float epsilon, long from, long to, boolean write) {
        float oneMinusRho = 1f - rho;
        float values = write ? VALUE_SCALE : 1f;
        float squares = write ? SQUARES_SCALE : 1f;
        FloatVector probe = FloatVector.zero(S);
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector grad = FloatVector.fromMemorySegment(S, g, o, ORDER);
            FloatVector velocity = FloatVector.fromMemorySegment(S, v, o, ORDER);
            velocity = velocity.mul(rho).add(grad.mul(grad).mul(oneMinusRho));
            FloatVector step = grad.mul(lr).div(velocity.add(epsilon).lanewise(VectorOperators.SQRT));
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER).sub(step);
            probe = probe.add(nonFiniteProbe(velocity.mul(squares)).add(nonFiniteProbe(weight.mul(values))));
            if (write) {
                velocity.intoMemorySegment(v, o, ORDER);
                weight.intoMemorySegment(w, o, ORDER);
            }
        }
        boolean finite = allZero(probe);
        for (; e < to; e++) {
            float grad = g.getAtIndex(JAVA_FLOAT, e);
            float velocity = v.getAtIndex(JAVA_FLOAT, e) * rho + grad * grad * oneMinusRho;
            float step = grad * lr / (float) Math.sqrt(velocity + epsilon);
            float weight = w.getAtIndex(JAVA_FLOAT, e) - step;
            finite &= Float.isFinite(velocity * squares) && Float.isFinite(weight * values);
            if (write) {
                v.setAtIndex(JAVA_FLOAT, e, velocity);
                w.setAtIndex(JAVA_FLOAT, e, weight);
            }
        }
        return finite;
    }

    /** Adagrad: acc += g²; w −= lr·g/√(acc + ε). The caller starts the accumulator at Keras' 0.1. */
    public static boolean adagrad(MemorySegment w, MemorySegment g, MemorySegment acc, float lr, float epsilon,
            long from, long to, boolean write) {
        float values = write ? VALUE_SCALE : 1f;
        float squares = write ? SQUARES_SCALE : 1f;
        FloatVector probe = FloatVector.zero(S);
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector grad = FloatVector.fromMemorySegment(S, g, o, ORDER);
            FloatVector accumulator = FloatVector.fromMemorySegment(S, acc, o, ORDER).add(grad.mul(grad));
            FloatVector step = grad.mul(lr).div(accumulator.add(epsilon).lanewise(VectorOperators.SQRT));
            FloatVector weight = FloatVector.fromMemorySegment(S, w, o, ORDER).sub(step);
            probe = probe.add(nonFiniteProbe(accumulator.mul(squares)).add(nonFiniteProbe(weight.mul(values))));
            if (write) {
                accumulator.intoMemorySegment(acc, o, ORDER);
                weight.intoMemorySegment(w, o, ORDER);
            }
        }
        boolean finite = allZero(probe);
        for (; e < to; e++) {
            float grad = g.getAtIndex(JAVA_FLOAT, e);
            float accumulator = acc.getAtIndex(JAVA_FLOAT, e) + grad * grad;
            float step = grad * lr / (float) Math.sqrt(accumulator + epsilon);
            float weight = w.getAtIndex(JAVA_FLOAT, e) - step;
            finite &= Float.isFinite(accumulator * squares) && Float.isFinite(weight * values);
            if (write) {
                acc.setAtIndex(JAVA_FLOAT, e, accumulator);
                w.setAtIndex(JAVA_FLOAT, e, weight);
            }
        }
        return finite;
    }

    /** 0 in each lane that holds a finite number, NaN where it holds NaN or ±∞ (x − x). */
    private static FloatVector nonFiniteProbe(FloatVector x) {
        return x.sub(x);
    }

    /** True when a sum of probes stayed 0 in every lane, i.e. every value probed was finite. */
    private static boolean allZero(FloatVector probe) {
        return !Float.isNaN(probe.reduceLanes(VectorOperators.ADD));
    }
}
