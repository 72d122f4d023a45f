package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.WidenedFloats.D;
import static dev.kiln.core.kernel.WidenedFloats.LANES;
import static dev.kiln.core.kernel.WidenedFloats.load;
import static dev.kiln.core.kernel.WidenedFloats.store;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Per-sample losses and their gradients; the batch loss is the mean of the per-sample losses.
 *
 * <p>Every method works on rows {@code [rowFrom, rowTo)} of width {@code cols}, returns the sum of
 * their per-sample losses (in double) and, when {@code grad} is non-null, writes
 * {@code grad = gradScale · ∂loss_i/∂input}; the caller passes {@code gradScale = 1/batchSize}, so
 * {@code grad} is the gradient of the batch mean. A null {@code grad} computes the loss alone.
 * Sparse labels are class indices stored as floats in a {@code [rows]} buffer.
 *
 * <p>Each row is computed on its own, in double, with one code path whatever the range, so a row's
 * loss and gradient are bit-identical for any split of the rows, and the returned sum is the rows'
 * losses added in row order.
 *
 * <pre>{@code
 * double sum = LossKernels.sparseSoftmaxCrossEntropy(logits, labels, probs, grad, 10, 1f / n, 0, n);
 * double batchLoss = sum / n;
 * }</pre>
 */
public final class LossKernels {
    /** Keras' fuzz factor: probabilities are clipped to [EPSILON, 1 − EPSILON] in float32. */
    static final double CLIP_LOW = 1e-7f;
    static final double CLIP_HIGH = 1f - 1e-7f;

    private static final DoubleVector ZERO = DoubleVector.zero(D);
    private static final DoubleVector ONE = DoubleVector.broadcast(D, 1.0);
    private static final DoubleVector MINUS_ONE = DoubleVector.broadcast(D, -1.0);
    private static final DoubleVector LOWEST = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);

    private LossKernels() {
    }

    /** ℓ_i = mean_j (p − t)²; ∂ℓ_i/∂p = 2(p − t)/cols. */
    public static double meanSquaredError(MemorySegment pred, MemorySegment target, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double gradFactor = 2.0 * gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector squares = ZERO;
            // One masked loop per row: rows are mostly shorter than a vector (10 classes, 1 output).
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Double> m = D.indexInRange(j, cols);
                DoubleVector d = load(pred, row + j, m).sub(load(target, row + j, m));
                squares = squares.add(d.mul(d));
                if (grad != null) {
                    store(d.mul(gradFactor), grad, row + j, m);
                }
            }
            sum += squares.reduceLanes(VectorOperators.ADD) / cols;
        }
        return sum;
    }

    /** ℓ_i = mean_j |p − t|; ∂ℓ_i/∂p = sign(p − t)/cols with sign(0) = 0. */
    public static double meanAbsoluteError(MemorySegment pred, MemorySegment target, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double gradFactor = (double) gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector absolutes = ZERO;
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Double> m = D.indexInRange(j, cols);
                DoubleVector d = load(pred, row + j, m).sub(load(target, row + j, m));
                absolutes = absolutes.add(d.abs());
                if (grad != null) {
                    DoubleVector sign = ZERO.blend(ONE, d.compare(VectorOperators.GT, 0.0))
                            .blend(MINUS_ONE, d.compare(VectorOperators.LT, 0.0));
                    store(sign.mul(gradFactor), grad, row + j, m);
                }
            }
            sum += absolutes.reduceLanes(VectorOperators.ADD) / cols;
        }
        return sum;
    }

    /**
     * Binary cross-entropy of probabilities, p clipped to [1e-7, 1 − 1e-7]:
     * ℓ_i = mean_j −(t·log p + (1 − t)·log(1 − p)). The gradient flows through the clip: it is 0 where p
     * lay outside the range and (p − t)/(p(1 − p))/cols inside it.
     */
    public static double binaryCrossEntropy(MemorySegment prob, MemorySegment target, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double gradFactor = (double) gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector logLikelihood = ZERO;
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Double> m = D.indexInRange(j, cols);
                DoubleVector p = load(prob, row + j, m);
                DoubleVector t = load(target, row + j, m);
                DoubleVector q = p.max(CLIP_LOW).min(CLIP_HIGH);
                DoubleVector term = t.mul(q.lanewise(VectorOperators.LOG))
                        .add(ONE.sub(t).mul(ONE.sub(q).lanewise(VectorOperators.LOG)));
                logLikelihood = logLikelihood.add(term, m);
                if (grad != null) {
                    DoubleVector g = p.sub(t).div(p.mul(ONE.sub(p))).mul(gradFactor);
                    store(ZERO.blend(g, inside(p)), grad, row + j, m);
                }
            }
            sum -= logLikelihood.reduceLanes(VectorOperators.ADD) / cols;
        }
        return sum;
    }

    /**
     * Binary cross-entropy from logits z, stable for any magnitude:
     * ℓ_i = mean_j max(z, 0) − z·t + log(1 + e^−|z|); ∂ℓ_i/∂z = (σ(z) − t)/cols. When {@code probOut} is
     * non-null it receives σ(z).
     */
    public static double sigmoidBinaryCrossEntropy(MemorySegment logits, MemorySegment target, MemorySegment probOut,
            MemorySegment grad, int cols, float gradScale, int rowFrom, int rowTo) {
        double gradFactor = (double) gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector losses = ZERO;
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Double> m = D.indexInRange(j, cols);
                DoubleVector z = load(logits, row + j, m);
                DoubleVector t = load(target, row + j, m);
                // e^−|z| never overflows; it underflows to 0 for large |z|, which is the right limit.
                DoubleVector e = z.abs().neg().lanewise(VectorOperators.EXP);
                DoubleVector term = z.max(0.0).sub(z.mul(t)).add(e.lanewise(VectorOperators.LOG1P));
                losses = losses.add(term, m);
                if (probOut != null || grad != null) {
                    // σ(z) = 1/(1 + e^−z) for z ≥ 0 and e^z/(1 + e^z) for z < 0: both use e = e^−|z|.
                    DoubleVector sigma = ONE.blend(e, z.compare(VectorOperators.LT, 0.0)).div(ONE.add(e));
                    if (probOut != null) {
                        store(sigma, probOut, row + j, m);
                    }
                    if (grad != null) {
                        store(sigma.sub(t).mul(gradFactor), grad, row + j, m);
                    }
                }
            }
            sum += losses.reduceLanes(VectorOperators.ADD) / cols;
        }
        return sum;
    }

    /**
     * Categorical cross-entropy of probabilities, as Keras computes it: q = p/Σp, clipped to
     * [1e-7, 1 − 1e-7], ℓ_i = −Σ_k t_k·log q_k. The gradient is the exact one of that expression with
     * respect to p, through the normalisation; a clipped q_k contributes nothing.
     */
    public static double categoricalCrossEntropy(MemorySegment prob, MemorySegment target, MemorySegment grad,
            int cols, float gradScale, int rowFrom, int rowTo) {
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            double total = rowSum(prob, row, cols);
            DoubleVector logLikelihood = ZERO;
            DoubleVector unclippedTargets = ZERO;
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Double> m = D.indexInRange(j, cols);
                DoubleVector q = load(prob, row + j, m).div(total);
                DoubleVector t = load(target, row + j, m);
                DoubleVector clipped = q.max(CLIP_LOW).min(CLIP_HIGH);
                logLikelihood = logLikelihood.add(t.mul(clipped.lanewise(VectorOperators.LOG)), m);
                unclippedTargets = unclippedTargets.add(t, m.and(inside(q)));
            }
            sum -= logLikelihood.reduceLanes(VectorOperators.ADD);
            if (grad != null) {
                // With c_k = t_k/q_k where q_k is unclipped (else 0): ∂ℓ/∂p_j = (Σ_k c_k·q_k − c_j)/Σp,
                // and Σ_k c_k·q_k is the sum of the unclipped targets.
                double tIn = unclippedTargets.reduceLanes(VectorOperators.ADD);
                double factor = gradScale / total;
                for (int j = 0; j < cols; j += LANES) {
                    VectorMask<Double> m = D.indexInRange(j, cols);
                    DoubleVector q = load(prob, row + j, m).div(total);
                    DoubleVector c = ZERO.blend(load(target, row + j, m).div(q), inside(q));
                    store(DoubleVector.broadcast(D, tIn).sub(c).mul(factor), grad, row + j, m);
                }
            }
        }
        return sum;
    }

    /** {@link #categoricalCrossEntropy} with class indices (floats 0..cols−1) in place of one-hot rows. */
    public static double sparseCategoricalCrossEntropy(MemorySegment prob, MemorySegment labels, MemorySegment grad,
            int cols, float gradScale, int rowFrom, int rowTo) {
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            int label = label(labels, i);
            double total = rowSum(prob, row, cols);
            double q = prob.getAtIndex(JAVA_FLOAT, row + label) / total;
            boolean unclipped = q >= CLIP_LOW && q <= CLIP_HIGH;
            sum -= Math.log(Math.min(Math.max(q, CLIP_LOW), CLIP_HIGH));
            if (grad != null) {
                // The one-hot rule with a single target: (1 − [j = label]/q)/Σp, or 0 if q was clipped.
                DoubleVector tIn = DoubleVector.broadcast(D, unclipped ? 1.0 : 0.0);
                double c = unclipped ? 1.0 / q : 0.0;
                double factor = gradScale / total;
                for (int j = 0; j < cols; j += LANES) {
                    VectorMask<Double> m = D.indexInRange(j, cols);
                    store(tIn.sub(c, laneOf(label, j)).mul(factor), grad, row + j, m);
                }
            }
        }
        return sum;
    }

    /**
     * Softmax and cross-entropy fused, from logits, through a stable log-sum-exp:
     * ℓ_i = −Σ_k t_k·log softmax(z)_k; ∂ℓ_i/∂z_j = softmax_j·Σ_k t_k − t_j. When {@code probOut} is
     * non-null it receives softmax(z). Finite for any finite logits.
     */
    public static double softmaxCrossEntropy(MemorySegment logits, MemorySegment target, MemorySegment probOut,
            MemorySegment grad, int cols, float gradScale, int rowFrom, int rowTo) {
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            double max = rowMax(logits, row, cols);
            DoubleVector exps = ZERO;
            DoubleVector targetLogits = ZERO;
            DoubleVector targets = ZERO;
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Double> m = D.indexInRange(j, cols);
                DoubleVector shifted = load(logits, row + j, m).sub(max);
                DoubleVector t = load(target, row + j, m);
                exps = exps.add(shifted.lanewise(VectorOperators.EXP), m);
                targetLogits = targetLogits.add(t.mul(shifted), m);
                targets = targets.add(t, m);
            }
            double expSum = exps.reduceLanes(VectorOperators.ADD);
            double targetSum = targets.reduceLanes(VectorOperators.ADD);
            // log softmax_k = (z_k − max) − log Σ e^(z − max); the shift keeps every exponent ≤ 0.
            sum += targetSum * Math.log(expSum) - targetLogits.reduceLanes(VectorOperators.ADD);
            if (probOut != null || grad != null) {
                for (int j = 0; j < cols; j += LANES) {
                    VectorMask<Double> m = D.indexInRange(j, cols);
                    DoubleVector softmax = softmax(logits, row + j, m, max, expSum);
                    if (probOut != null) {
                        store(softmax, probOut, row + j, m);
                    }
                    if (grad != null) {
                        DoubleVector g = softmax.mul(targetSum).sub(load(target, row + j, m));
                        store(g.mul(gradScale), grad, row + j, m);
                    }
                }
            }
        }
        return sum;
    }

    /** {@link #softmaxCrossEntropy} with class indices (floats 0..cols−1) in place of one-hot rows. */
    public static double sparseSoftmaxCrossEntropy(MemorySegment logits, MemorySegment labels, MemorySegment probOut,
            MemorySegment grad, int cols, float gradScale, int rowFrom, int rowTo) {
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            int label = label(labels, i);
            double max = rowMax(logits, row, cols);
            DoubleVector exps = ZERO;
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Double> m = D.indexInRange(j, cols);
                exps = exps.add(load(logits, row + j, m).sub(max).lanewise(VectorOperators.EXP), m);
            }
            double expSum = exps.reduceLanes(VectorOperators.ADD);
            sum += Math.log(expSum) - ((double) logits.getAtIndex(JAVA_FLOAT, row + label) - max);
            if (probOut != null || grad != null) {
                for (int j = 0; j < cols; j += LANES) {
                    VectorMask<Double> m = D.indexInRange(j, cols);
                    DoubleVector softmax = softmax(logits, row + j, m, max, expSum);
                    if (probOut != null) {
                        store(softmax, probOut, row + j, m);
                    }
                    if (grad != null) {
                        store(softmax.sub(1.0, laneOf(label, j)).mul(gradScale), grad, row + j, m);
                    }
                }
            }
        }
        return sum;
    }

    private static DoubleVector softmax(MemorySegment logits, long index, VectorMask<Double> m, double max,
            double expSum) {
        return load(logits, index, m).sub(max).lanewise(VectorOperators.EXP).div(expSum);
    }

    private static double rowSum(MemorySegment x, long row, int cols) {
        DoubleVector acc = ZERO;
        for (int j = 0; j < cols; j += LANES) {
            acc = acc.add(load(x, row + j, D.indexInRange(j, cols)));
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    private static double rowMax(MemorySegment x, long row, int cols) {
        DoubleVector acc = LOWEST;
        for (int j = 0; j < cols; j += LANES) {
            VectorMask<Double> m = D.indexInRange(j, cols);
            acc = acc.lanewise(VectorOperators.MAX, load(x, row + j, m), m);
        }
        return acc.reduceLanes(VectorOperators.MAX);
    }

    /** Where a probability lies inside the clip range, and so carries gradient. */
    private static VectorMask<Double> inside(DoubleVector q) {
        return q.compare(VectorOperators.GE, CLIP_LOW).and(q.compare(VectorOperators.LE, CLIP_HIGH));
    }

    /** The lane holding column {@code label} in the vector that starts at column {@code j}, if any. */
    private static VectorMask<Double> laneOf(int label, int j) {
        return D.indexInRange(j - label, 1);
    }

    private static int label(MemorySegment labels, int row) {
        return (int) labels.getAtIndex(JAVA_FLOAT, row);
    }
}
