package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.WidenedFloats.D;
import static dev.kiln.core.kernel.WidenedFloats.F;
import static dev.kiln.core.kernel.WidenedFloats.LANES;
import static dev.kiln.core.kernel.WidenedFloats.ORDER;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.D2F;
import static jdk.incubator.vector.VectorOperators.EXP;
import static jdk.incubator.vector.VectorOperators.F2D;
import static jdk.incubator.vector.VectorOperators.GE;
import static jdk.incubator.vector.VectorOperators.GT;
import static jdk.incubator.vector.VectorOperators.LE;
import static jdk.incubator.vector.VectorOperators.LOG;
import static jdk.incubator.vector.VectorOperators.LOG1P;
import static jdk.incubator.vector.VectorOperators.LT;
import static jdk.incubator.vector.VectorOperators.MAX;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Per-sample losses and their gradients; the batch loss is the mean of the per-sample losses.
 *
 * <p>Every method works on rows {@code [rowFrom, rowTo)} of width {@code cols}, returns the sum of
 * their per-sample losses (in double) and, when {@code grad} is non-null, writes
 * {@code grad = gradScale · ∂loss_i/∂input}; the caller passes {@code gradScale = 1/batchSize}, so
 * {@code grad} is the gradient of the batch mean. A null {@code grad} computes the loss alone.
 * Sparse labels are class indices stored as floats in a {@code [rows]} buffer. The cross-entropies of
 * dense targets take Keras' {@code labelSmoothing} ε: each target t is read as t·(1 − ε) + ε/K, with K
 * the number of classes (2 for binary cross-entropy); 0 reads the targets as they are.
 *
 * <p>Each row is computed on its own, in double, by the same code whatever the range, so a row's
 * loss and gradient are bit-identical for any split of the rows; the returned sum adds the rows'
 * losses in row order. Rows are walked with one masked loop: most are shorter than a vector
 * (10 classes, 1 output), so a separate unmasked body would rarely run.
 *
 * <pre>{@code
 * double sum = LossKernels.sparseSoftmaxCrossEntropy(logits, labels, probs, grad, 10, 1f / n, 0, n);
 * double batchLoss = sum / n;
 * }</pre>
 */
public final class LossKernels {
    /** Keras' fuzz factor: probabilities are clipped to [1e-7, 1 − 1e-7], taken as float32 values. */
    static final double CLIP_LOW = 1e-7f;
    static final double CLIP_HIGH = 1f - 1e-7f;

    private LossKernels() {
    }

    /** ℓ_i = mean_j (p − t)²; ∂ℓ_i/∂p = 2(p − t)/cols. */
    public static double meanSquaredError(MemorySegment pred, MemorySegment target, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double gradFactor = 2.0 * gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector squares = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector d = p.sub(t);
                squares = squares.add(d.mul(d));
                if (grad != null) {
                    ((FloatVector) d.mul(gradFactor).convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += WidenedFloats.sumInLaneOrder(squares) / cols;
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
            DoubleVector absolutes = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector d = p.sub(t);
                absolutes = absolutes.add(d.abs());
                if (grad != null) {
                    DoubleVector sign = DoubleVector.zero(D)
                            .blend(gradFactor, d.compare(GT, 0.0))
                            .blend(-gradFactor, d.compare(LT, 0.0));
                    ((FloatVector) sign.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += WidenedFloats.sumInLaneOrder(absolutes) / cols;
        }
        return sum;
    }

    /**
     * Keras' Huber loss with threshold δ (e = p − t): ℓ_i = mean_j (½e² if |e| ≤ δ, else δ·|e| − ½δ²);
     * ∂ℓ_i/∂p = clamp(e, −δ, δ)/cols.
     */
    public static double huber(MemorySegment pred, MemorySegment target, float delta, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double d = delta;
        double linearOffset = 0.5 * d * d;
        double gradFactor = (double) gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector losses = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector e = p.sub(t);
                DoubleVector a = e.abs();
                DoubleVector quadratic = e.mul(e).mul(0.5);
                DoubleVector linear = a.mul(d).sub(linearOffset);
                // Lanes outside the row read e = 0, which is quadratic and adds 0.
                losses = losses.add(linear.blend(quadratic, a.compare(LE, d)));
                if (grad != null) {
                    DoubleVector g = e.max(-d).min(d).mul(gradFactor);
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += WidenedFloats.sumInLaneOrder(losses) / cols;
        }
        return sum;
    }

    /**
     * Keras' mean squared logarithmic error, both sides raised to at least ε = 1e-7 (float32):
     * ℓ_i = mean_j (log(1 + max(p, ε)) − log(1 + max(t, ε)))². The gradient flows through the max: it is
     * 2(log(1 + p) − log(1 + max(t, ε)))/(1 + p)/cols where p ≥ ε and 0 below.
     */
    public static double meanSquaredLogarithmicError(MemorySegment pred, MemorySegment target, MemorySegment grad,
            int cols, float gradScale, int rowFrom, int rowTo) {
        double gradFactor = 2.0 * gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector squares = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector q = p.max(CLIP_LOW);
                // Lanes outside the row read p = t = 0: both logs are log(1 + ε) and the difference is 0.
                DoubleVector diff = q.lanewise(LOG1P).sub(t.max(CLIP_LOW).lanewise(LOG1P));
                squares = squares.add(diff.mul(diff));
                if (grad != null) {
                    DoubleVector g = diff.div(q.add(1.0)).mul(gradFactor);
                    g = DoubleVector.zero(D).blend(g, p.compare(GE, CLIP_LOW));
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += WidenedFloats.sumInLaneOrder(squares) / cols;
        }
        return sum;
    }

    /**
     * Keras' log-cosh of e = p − t, stable for any magnitude: log cosh e = |e| + log(1 + e^−2|e|) − log 2;
     * ℓ_i = mean_j log cosh e; ∂ℓ_i/∂p = tanh(e)/cols, from the same e^−2|e|.
     */
    public static double logCosh(MemorySegment pred, MemorySegment target, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double gradFactor = (double) gradScale / cols;
        double log2 = Math.log(2.0);
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector losses = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector e = p.sub(t);
                DoubleVector a = e.abs();
                // e^−2|e| never overflows; it underflows to 0 for large |e|, where log cosh e → |e| − log 2.
                DoubleVector q = a.mul(-2.0).lanewise(EXP);
                losses = losses.add(a.add(q.lanewise(LOG1P)).sub(log2), mf.cast(D));
                if (grad != null) {
                    DoubleVector tanh = q.neg().add(1.0).div(q.add(1.0));
                    DoubleVector g = tanh.blend(tanh.neg(), e.compare(LT, 0.0)).mul(gradFactor);
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += WidenedFloats.sumInLaneOrder(losses) / cols;
        }
        return sum;
    }

    /**
     * Keras' Poisson loss with ε = 1e-7 (float32): ℓ_i = mean_j p − t·log(p + ε);
     * ∂ℓ_i/∂p = (1 − t/(p + ε))/cols. As in Keras, p + ε ≤ 0 gives NaN (a log of a negative number).
     */
    public static double poisson(MemorySegment pred, MemorySegment target, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double gradFactor = (double) gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector losses = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector shifted = p.add(CLIP_LOW);
                losses = losses.add(p.sub(t.mul(shifted.lanewise(LOG))), mf.cast(D));
                if (grad != null) {
                    DoubleVector g = t.div(shifted).neg().add(1.0).mul(gradFactor);
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += WidenedFloats.sumInLaneOrder(losses) / cols;
        }
        return sum;
    }

    /**
     * Keras' mean absolute percentage error, ε = 1e-7 (float32): ℓ_i = 100·mean_j |t − p|/max(|t|, ε);
     * ∂ℓ_i/∂p = 100·sign(p − t)/max(|t|, ε)/cols with sign(0) = 0.
     */
    public static double meanAbsolutePercentageError(MemorySegment pred, MemorySegment target, MemorySegment grad,
            int cols, float gradScale, int rowFrom, int rowTo) {
        double gradFactor = 100.0 * gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector ratios = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector d = p.sub(t);
                DoubleVector scale = t.abs().max(CLIP_LOW);
                // Lanes outside the row read p = t = 0: a difference of 0 adds 0.
                ratios = ratios.add(d.abs().div(scale));
                if (grad != null) {
                    DoubleVector sign = DoubleVector.zero(D).blend(1.0, d.compare(GT, 0.0)).blend(-1.0, d.compare(LT, 0.0));
                    ((FloatVector) sign.div(scale).mul(gradFactor).convertShape(D2F, F, 0))
                            .intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += 100.0 * WidenedFloats.sumInLaneOrder(ratios) / cols;
        }
        return sum;
    }

    /**
     * Keras' hinge (and, {@code squared}, squared hinge) loss: ℓ_i = mean_j m (or m²) with the margin
     * m = max(1 − t·p, 0); ∂ℓ_i/∂p = −t (or −2m·t)/cols where m > 0, else 0. Targets are −1 or 1; a row whose
     * targets are all 0 or 1 is read as 2t − 1 (Keras decides that per batch, which is the same for targets
     * that are all 0/1 or all ±1).
     */
    public static double hinge(MemorySegment pred, MemorySegment target, boolean squared, MemorySegment grad,
            int cols, float gradScale, int rowFrom, int rowTo) {
        double gradFactor = (squared ? 2.0 : 1.0) * gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            boolean zeroOne = allZeroOrOne(target, row, cols);
            double scale = zeroOne ? 2.0 : 1.0;
            double shift = zeroOne ? -1.0 : 0.0;
            DoubleVector losses = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = ((DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0))
                        .mul(scale).add(shift);
                DoubleVector margin = t.mul(p).neg().add(1.0).max(0.0);
                losses = losses.add(squared ? margin.mul(margin) : margin, mf.cast(D));
                if (grad != null) {
                    DoubleVector slope = squared ? margin.mul(t) : t.blend(0.0, margin.compare(LE, 0.0));
                    ((FloatVector) slope.mul(-gradFactor).convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += WidenedFloats.sumInLaneOrder(losses) / cols;
        }
        return sum;
    }

    private static boolean allZeroOrOne(MemorySegment target, long row, int cols) {
        for (int j = 0; j < cols; j += LANES) {
            VectorMask<Float> mf = F.indexInRange(j, cols);
            FloatVector t = FloatVector.fromMemorySegment(F, target, (row + j) * Float.BYTES, ORDER, mf);
            VectorMask<Float> binary = t.compare(VectorOperators.EQ, 0f).or(t.compare(VectorOperators.EQ, 1f));
            if (binary.and(mf).trueCount() != mf.trueCount()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Keras' categorical hinge of one-hot targets: ℓ_i = max(neg − pos + 1, 0) with pos = Σ_k t_k·p_k and
     * neg = max_k (1 − t_k)·p_k; where ℓ_i > 0, ∂ℓ_i/∂p_j = −t_j, plus 1 − t_j at the first k that gives
     * neg.
     */
    public static double categoricalHinge(MemorySegment pred, MemorySegment target, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            sum += categoricalHingeRow(pred, target, grad, (long) i * cols, cols, gradScale);
        }
        return sum;
    }

    private static double categoricalHingeRow(MemorySegment pred, MemorySegment target, MemorySegment grad, long row,
            int cols, float gradScale) {
        DoubleVector positive = DoubleVector.zero(D);
        DoubleVector negative = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        for (int j = 0; j < cols; j += LANES) {
            VectorMask<Float> mf = F.indexInRange(j, cols);
            long o = (row + j) * Float.BYTES;
            DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
            DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
            positive = positive.add(t.mul(p));
            // Masked: lanes outside the row would offer (1 − 0)·0 = 0, above a row of negative scores.
            negative = negative.lanewise(MAX, t.neg().add(1.0).mul(p), mf.cast(D));
        }
        double neg = negative.reduceLanes(MAX);
        double loss = Math.max(neg - WidenedFloats.sumInLaneOrder(positive) + 1.0, 0.0);
        if (grad != null) {
            double factor = loss > 0 ? gradScale : 0.0;
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
                ((FloatVector) t.mul(-factor).convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
            }
            if (loss > 0) {
                // The max's gradient goes to one position, the first that attains it.
                for (int j = 0; j < cols; j++) {
                    double t = target.getAtIndex(JAVA_FLOAT, row + j);
                    if ((1.0 - t) * pred.getAtIndex(JAVA_FLOAT, row + j) == neg) {
                        grad.setAtIndex(JAVA_FLOAT, row + j, (float) ((1.0 - 2.0 * t) * gradScale));
                        break;
                    }
                }
            }
        }
        return loss;
    }

    /**
     * Keras' Kullback–Leibler divergence, both sides clipped to [ε, 1] with ε = 1e-7 (float32):
     * ℓ_i = Σ_k t_k·log(t_k/p_k); ∂ℓ_i/∂p = −t/p where p lies in [ε, 1], else 0 (the clip).
     */
    public static double klDivergence(MemorySegment pred, MemorySegment target, MemorySegment grad, int cols,
            float gradScale, int rowFrom, int rowTo) {
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector losses = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = ((DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0))
                        .max(CLIP_LOW).min(1.0);
                DoubleVector q = p.max(CLIP_LOW).min(1.0);
                losses = losses.add(t.mul(t.div(q).lanewise(LOG)), mf.cast(D));
                if (grad != null) {
                    VectorMask<Double> inside = p.compare(GE, CLIP_LOW).and(p.compare(LE, 1.0));
                    DoubleVector g = DoubleVector.zero(D).blend(t.div(q).mul(-(double) gradScale), inside);
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum += WidenedFloats.sumInLaneOrder(losses);
        }
        return sum;
    }

    /**
     * Binary cross-entropy of probabilities, p clipped to [1e-7, 1 − 1e-7]:
     * ℓ_i = mean_j −(t·log p + (1 − t)·log(1 − p)). The gradient flows through the clip: it is 0 where p
     * lay outside the range and (p − t)/(p(1 − p))/cols inside it.
     */
    public static double binaryCrossEntropy(MemorySegment prob, MemorySegment target, float labelSmoothing,
            MemorySegment grad, int cols, float gradScale, int rowFrom, int rowTo) {
        double keep = 1.0 - labelSmoothing;
        double share = labelSmoothing / 2.0;
        double gradFactor = (double) gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector logLikelihood = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                VectorMask<Double> m = mf.cast(D);
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, prob, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = smoothed(target, o, mf, keep, share);
                DoubleVector q = p.max(CLIP_LOW).min(CLIP_HIGH);
                DoubleVector oneMinusQ = q.neg().add(1.0);
                DoubleVector term = t.mul(q.lanewise(LOG)).add(t.neg().add(1.0).mul(oneMinusQ.lanewise(LOG)));
                logLikelihood = logLikelihood.add(term, m);
                if (grad != null) {
                    VectorMask<Double> inside = p.compare(GE, CLIP_LOW).and(p.compare(LE, CLIP_HIGH));
                    DoubleVector g = p.sub(t).div(p.mul(p.neg().add(1.0))).mul(gradFactor);
                    g = DoubleVector.zero(D).blend(g, inside);
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
            sum -= WidenedFloats.sumInLaneOrder(logLikelihood) / cols;
        }
        return sum;
    }

    /**
     * Binary cross-entropy from logits z, stable for any magnitude:
     * ℓ_i = mean_j max(z, 0) − z·t + log(1 + e^−|z|); ∂ℓ_i/∂z = (σ(z) − t)/cols. When {@code probOut} is
     * non-null it receives σ(z).
     */
    public static double sigmoidBinaryCrossEntropy(MemorySegment logits, MemorySegment target, float labelSmoothing,
            MemorySegment probOut, MemorySegment grad, int cols, float gradScale, int rowFrom, int rowTo) {
        double keep = 1.0 - labelSmoothing;
        double share = labelSmoothing / 2.0;
        double gradFactor = (double) gradScale / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            DoubleVector losses = DoubleVector.zero(D);
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                VectorMask<Double> m = mf.cast(D);
                long o = (row + j) * Float.BYTES;
                DoubleVector z = (DoubleVector) FloatVector.fromMemorySegment(F, logits, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector t = smoothed(target, o, mf, keep, share);
                // e^−|z| never overflows; it underflows to 0 for large |z|, which is the right limit.
                DoubleVector e = z.abs().neg().lanewise(EXP);
                losses = losses.add(z.max(0.0).sub(z.mul(t)).add(e.lanewise(LOG1P)), m);
                if (probOut != null || grad != null) {
                    // σ(z) = 1/(1 + e^−z) for z ≥ 0 and e^z/(1 + e^z) for z < 0: both in terms of e^−|z|.
                    DoubleVector sigma = DoubleVector.broadcast(D, 1.0).blend(e, z.compare(LT, 0.0)).div(e.add(1.0));
                    if (probOut != null) {
                        ((FloatVector) sigma.convertShape(D2F, F, 0)).intoMemorySegment(probOut, o, ORDER, mf);
                    }
                    if (grad != null) {
                        DoubleVector g = sigma.sub(t).mul(gradFactor);
                        ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                    }
                }
            }
            sum += WidenedFloats.sumInLaneOrder(losses) / cols;
        }
        return sum;
    }

    /**
     * Categorical cross-entropy of probabilities, as Keras computes it: q = p/Σp, clipped to
     * [1e-7, 1 − 1e-7], ℓ_i = −Σ_k t_k·log q_k. The gradient is the exact one of that expression with
     * respect to p, through the normalisation; a clipped q_k contributes nothing.
     */
    public static double categoricalCrossEntropy(MemorySegment prob, MemorySegment target, float labelSmoothing,
            MemorySegment grad, int cols, float gradScale, int rowFrom, int rowTo) {
        double keep = 1.0 - labelSmoothing;
        double share = (double) labelSmoothing / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            sum += categoricalCrossEntropyRow(prob, target, keep, share, grad, (long) i * cols, cols, gradScale);
        }
        return sum;
    }

    private static double categoricalCrossEntropyRow(MemorySegment prob, MemorySegment target, double keep,
            double share, MemorySegment grad, long row, int cols, float gradScale) {
        double total = rowSum(prob, row, cols);
        DoubleVector logLikelihood = DoubleVector.zero(D);
        DoubleVector unclippedTargets = DoubleVector.zero(D);
        for (int j = 0; j < cols; j += LANES) {
            VectorMask<Float> mf = F.indexInRange(j, cols);
            VectorMask<Double> m = mf.cast(D);
            long o = (row + j) * Float.BYTES;
            DoubleVector q = ((DoubleVector) FloatVector.fromMemorySegment(F, prob, o, ORDER, mf).convertShape(F2D, D, 0)).div(total);
            DoubleVector t = smoothed(target, o, mf, keep, share);
            VectorMask<Double> inside = q.compare(GE, CLIP_LOW).and(q.compare(LE, CLIP_HIGH));
            logLikelihood = logLikelihood.add(t.mul(q.max(CLIP_LOW).min(CLIP_HIGH).lanewise(LOG)), m);
            unclippedTargets = unclippedTargets.add(t, inside.and(m));
        }
        if (grad != null) {
            // With c_k = t_k/q_k where q_k is unclipped (else 0): ∂ℓ/∂p_j = (Σ_k c_k·q_k − c_j)/Σp,
            // and Σ_k c_k·q_k is the sum of the unclipped targets.
            double tIn = WidenedFloats.sumInLaneOrder(unclippedTargets);
            double factor = gradScale / total;
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector q = ((DoubleVector) FloatVector.fromMemorySegment(F, prob, o, ORDER, mf).convertShape(F2D, D, 0)).div(total);
                DoubleVector t = smoothed(target, o, mf, keep, share);
                VectorMask<Double> inside = q.compare(GE, CLIP_LOW).and(q.compare(LE, CLIP_HIGH));
                DoubleVector c = DoubleVector.zero(D).blend(t.div(q), inside);
                DoubleVector g = c.neg().add(tIn).mul(factor);
                ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
            }
        }
        return -WidenedFloats.sumInLaneOrder(logLikelihood);
    }

    /** {@link #categoricalCrossEntropy} with class indices (floats 0..cols−1) in place of one-hot rows. */
    public static double sparseCategoricalCrossEntropy(MemorySegment prob, MemorySegment labels, MemorySegment grad,
            int cols, float gradScale, int rowFrom, int rowTo) {
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            int label = (int) labels.getAtIndex(JAVA_FLOAT, i);
            double total = rowSum(prob, row, cols);
            double q = prob.getAtIndex(JAVA_FLOAT, row + label) / total;
            boolean unclipped = q >= CLIP_LOW && q <= CLIP_HIGH;
            sum -= Math.log(Math.min(Math.max(q, CLIP_LOW), CLIP_HIGH));
            if (grad != null) {
                // The one-hot rule with a single target: (1 − [j = label]/q)/Σp, or 0 if q was clipped.
                double tIn = unclipped ? 1.0 : 0.0;
                double c = unclipped ? 1.0 / q : 0.0;
                double factor = gradScale / total;
                for (int j = 0; j < cols; j += LANES) {
                    VectorMask<Float> mf = F.indexInRange(j, cols);
                    // Lane (label − j) is the label's; a compare with the lane index stays intrinsic where
                    // indexInRange with a negative start falls back to an allocating check.
                    VectorMask<Double> labelLane = DoubleVector.zero(D).addIndex(1)
                            .compare(VectorOperators.EQ, (double) (label - j));
                    DoubleVector g = DoubleVector.zero(D).blend(c, labelLane).neg().add(tIn).mul(factor);
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, (row + j) * Float.BYTES, ORDER, mf);
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
    // The multi-pass losses compute a row per method call: it keeps each compiled unit small enough
    // for C2 to keep every vector in registers instead of boxing some of them.
    public static double softmaxCrossEntropy(MemorySegment logits, MemorySegment target, float labelSmoothing,
            MemorySegment probOut, MemorySegment grad, int cols, float gradScale, int rowFrom, int rowTo) {
        double keep = 1.0 - labelSmoothing;
        double share = (double) labelSmoothing / cols;
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            sum += softmaxCrossEntropyRow(logits, target, keep, share, probOut, grad, (long) i * cols, cols, gradScale);
        }
        return sum;
    }

    private static double softmaxCrossEntropyRow(MemorySegment logits, MemorySegment target, double keep,
            double share, MemorySegment probOut, MemorySegment grad, long row, int cols, float gradScale) {
        double max = rowMax(logits, row, cols);
        DoubleVector exps = DoubleVector.zero(D);
        DoubleVector targetLogits = DoubleVector.zero(D);
        DoubleVector targets = DoubleVector.zero(D);
        for (int j = 0; j < cols; j += LANES) {
            VectorMask<Float> mf = F.indexInRange(j, cols);
            long o = (row + j) * Float.BYTES;
            DoubleVector shifted = ((DoubleVector) FloatVector.fromMemorySegment(F, logits, o, ORDER, mf).convertShape(F2D, D, 0)).sub(max);
            DoubleVector t = smoothed(target, o, mf, keep, share);
            exps = exps.add(shifted.lanewise(EXP), mf.cast(D));
            targetLogits = targetLogits.add(t.mul(shifted));
            targets = targets.add(t);
        }
        double expSum = WidenedFloats.sumInLaneOrder(exps);
        double targetSum = WidenedFloats.sumInLaneOrder(targets);
        if (probOut != null || grad != null) {
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector z = (DoubleVector) FloatVector.fromMemorySegment(F, logits, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector softmax = z.sub(max).lanewise(EXP).div(expSum);
                if (probOut != null) {
                    ((FloatVector) softmax.convertShape(D2F, F, 0)).intoMemorySegment(probOut, o, ORDER, mf);
                }
                if (grad != null) {
                    DoubleVector t = smoothed(target, o, mf, keep, share);
                    DoubleVector g = softmax.mul(targetSum).sub(t).mul(gradScale);
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
        }
        // log softmax_k = (z_k − max) − log Σ e^(z − max); the shift keeps every exponent ≤ 0.
        return targetSum * Math.log(expSum) - WidenedFloats.sumInLaneOrder(targetLogits);
    }

    /** {@link #softmaxCrossEntropy} with class indices (floats 0..cols−1) in place of one-hot rows. */
    public static double sparseSoftmaxCrossEntropy(MemorySegment logits, MemorySegment labels, MemorySegment probOut,
            MemorySegment grad, int cols, float gradScale, int rowFrom, int rowTo) {
        double sum = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            int label = (int) labels.getAtIndex(JAVA_FLOAT, i);
            sum += sparseSoftmaxCrossEntropyRow(logits, label, probOut, grad, (long) i * cols, cols, gradScale);
        }
        return sum;
    }

    private static double sparseSoftmaxCrossEntropyRow(MemorySegment logits, int label, MemorySegment probOut,
            MemorySegment grad, long row, int cols, float gradScale) {
        double max = rowMax(logits, row, cols);
        DoubleVector exps = DoubleVector.zero(D);
        for (int j = 0; j < cols; j += LANES) {
            VectorMask<Float> mf = F.indexInRange(j, cols);
            long o = (row + j) * Float.BYTES;
            DoubleVector z = (DoubleVector) FloatVector.fromMemorySegment(F, logits, o, ORDER, mf).convertShape(F2D, D, 0);
            exps = exps.add(z.sub(max).lanewise(EXP), mf.cast(D));
        }
        double expSum = WidenedFloats.sumInLaneOrder(exps);
        if (probOut != null || grad != null) {
            for (int j = 0; j < cols; j += LANES) {
                VectorMask<Float> mf = F.indexInRange(j, cols);
                long o = (row + j) * Float.BYTES;
                DoubleVector z = (DoubleVector) FloatVector.fromMemorySegment(F, logits, o, ORDER, mf).convertShape(F2D, D, 0);
                DoubleVector softmax = z.sub(max).lanewise(EXP).div(expSum);
                if (probOut != null) {
                    ((FloatVector) softmax.convertShape(D2F, F, 0)).intoMemorySegment(probOut, o, ORDER, mf);
                }
                if (grad != null) {
                    // Lane (label − j) is the label's; a compare with the lane index stays intrinsic where
                    // indexInRange with a negative start falls back to an allocating check.
                    VectorMask<Double> labelLane = DoubleVector.zero(D).addIndex(1)
                            .compare(VectorOperators.EQ, (double) (label - j));
                    DoubleVector g = softmax.sub(DoubleVector.zero(D).blend(1.0, labelLane)).mul(gradScale);
                    ((FloatVector) g.convertShape(D2F, F, 0)).intoMemorySegment(grad, o, ORDER, mf);
                }
            }
        }
        return Math.log(expSum) - ((double) logits.getAtIndex(JAVA_FLOAT, row + label) - max);
    }

    /**
     * The targets at byte offset {@code o} in the lanes of {@code mf}, label-smoothed: t·keep + share, with
     * keep = 1 − ε and share = ε/K. Lanes outside the row stay 0, as the sums over the row need. With ε = 0
     * each target is read as it is: t·1 + 0 = t, but for a −0 read as +0, which no loss or gradient here
     * tells apart.
     */
    private static DoubleVector smoothed(MemorySegment target, long o, VectorMask<Float> mf, double keep, double share) {
        DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER, mf).convertShape(F2D, D, 0);
        return t.mul(keep).add(share, mf.cast(D));
    }

    private static double rowSum(MemorySegment x, long row, int cols) {
        DoubleVector acc = DoubleVector.zero(D);
        for (int j = 0; j < cols; j += LANES) {
            VectorMask<Float> mf = F.indexInRange(j, cols);
            long o = (row + j) * Float.BYTES;
            acc = acc.add((DoubleVector) FloatVector.fromMemorySegment(F, x, o, ORDER, mf).convertShape(F2D, D, 0));
        }
        return WidenedFloats.sumInLaneOrder(acc);
    }

    private static double rowMax(MemorySegment x, long row, int cols) {
        DoubleVector acc = DoubleVector.broadcast(D, Double.NEGATIVE_INFINITY);
        for (int j = 0; j < cols; j += LANES) {
            VectorMask<Float> mf = F.indexInRange(j, cols);
            long o = (row + j) * Float.BYTES;
            DoubleVector v = (DoubleVector) FloatVector.fromMemorySegment(F, x, o, ORDER, mf).convertShape(F2D, D, 0);
            acc = acc.lanewise(MAX, v, mf.cast(D));
        }
        return acc.reduceLanes(MAX);
    }
}
