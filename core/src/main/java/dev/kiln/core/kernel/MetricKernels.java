package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.WidenedFloats.D;
import static dev.kiln.core.kernel.WidenedFloats.F;
import static dev.kiln.core.kernel.WidenedFloats.LANES;
import static dev.kiln.core.kernel.WidenedFloats.ORDER;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.F2D;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Metric reductions over a range of rows or elements: match counts for the accuracies, error sums
 * (in double) for MAE and MSE. The caller adds the ranges' results and divides.
 *
 * <pre>{@code
 * double accuracy = (double) MetricKernels.argmaxMatchesLabels(probs, labels, 10, 0, n) / n;
 * }</pre>
 */
public final class MetricKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final FloatVector ZERO = FloatVector.zero(S);
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f);

    private MetricKernels() {
    }

    /** Rows of [rowFrom, rowTo) whose argmax (first maximum, as numpy's) equals the label stored as a float. */
    public static long argmaxMatchesLabels(MemorySegment pred, MemorySegment labels, int cols, int rowFrom,
            int rowTo) {
        long matches = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            if (argmax(pred, row, cols) == (int) labels.getAtIndex(JAVA_FLOAT, i)) {
                matches++;
            }
        }
        return matches;
    }

    /** Rows of [rowFrom, rowTo) where argmax(pred) equals argmax(target), both taking the first maximum. */
    public static long argmaxMatchesOneHot(MemorySegment pred, MemorySegment target, int cols, int rowFrom,
            int rowTo) {
        long matches = 0;
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            if (argmax(pred, row, cols) == argmax(target, row, cols)) {
                matches++;
            }
        }
        return matches;
    }

    /** Elements of [from, to) where (pred > threshold ? 1 : 0) equals target, as Keras' binary accuracy. */
    public static long thresholdMatches(MemorySegment pred, MemorySegment target, float threshold, long from,
            long to) {
        long matches = 0;
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector p = FloatVector.fromMemorySegment(S, pred, o, ORDER);
            FloatVector t = FloatVector.fromMemorySegment(S, target, o, ORDER);
            FloatVector predicted = ZERO.blend(ONE, p.compare(VectorOperators.GT, threshold));
            matches += predicted.compare(VectorOperators.EQ, t).trueCount();
        }
        for (; e < to; e++) {
            float predicted = pred.getAtIndex(JAVA_FLOAT, e) > threshold ? 1f : 0f;
            if (predicted == target.getAtIndex(JAVA_FLOAT, e)) {
                matches++;
            }
        }
        return matches;
    }

    /** Σ |pred − target| over elements [from, to), in double. */
    public static double sumAbsoluteError(MemorySegment pred, MemorySegment target, long from, long to) {
        DoubleVector acc = DoubleVector.zero(D);
        long e = from;
        for (; e <= to - LANES; e += LANES) {
            long o = e * Float.BYTES;
            DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER).convertShape(F2D, D, 0);
            DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER).convertShape(F2D, D, 0);
            acc = acc.add(p.sub(t).abs());
        }
        double sum = WidenedFloats.sumInLaneOrder(acc);
        for (; e < to; e++) {
            sum += Math.abs((double) pred.getAtIndex(JAVA_FLOAT, e) - target.getAtIndex(JAVA_FLOAT, e));
        }
        return sum;
    }

    /** Σ (pred − target)² over elements [from, to), in double. */
    public static double sumSquaredError(MemorySegment pred, MemorySegment target, long from, long to) {
        DoubleVector acc = DoubleVector.zero(D);
        long e = from;
        for (; e <= to - LANES; e += LANES) {
            long o = e * Float.BYTES;
            DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER).convertShape(F2D, D, 0);
            DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER).convertShape(F2D, D, 0);
            DoubleVector d = p.sub(t);
            acc = acc.add(d.mul(d));
        }
        double sum = WidenedFloats.sumInLaneOrder(acc);
        for (; e < to; e++) {
            double d = (double) pred.getAtIndex(JAVA_FLOAT, e) - target.getAtIndex(JAVA_FLOAT, e);
            sum += d * d;
        }
        return sum;
    }

    /**
     * Adds, for each column c of rows [rowFrom, rowTo), Σ target into {@code out[at + c]}, Σ target² into
     * {@code out[at + cols + c]} and Σ (target − pred)² into {@code out[at + 2·cols + c]}, in double: the
     * per-output sums an R² score needs.
     */
    public static void columnMoments(MemorySegment pred, MemorySegment target, int cols, int rowFrom, int rowTo,
            double[] out, int at) {
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            int j = 0;
            for (; j <= cols - LANES; j += LANES) {
                long o = (row + j) * Float.BYTES;
                DoubleVector p = (DoubleVector) FloatVector.fromMemorySegment(F, pred, o, ORDER).convertShape(F2D, D, 0);
                DoubleVector t = (DoubleVector) FloatVector.fromMemorySegment(F, target, o, ORDER).convertShape(F2D, D, 0);
                DoubleVector r = t.sub(p);
                DoubleVector.fromArray(D, out, at + j).add(t).intoArray(out, at + j);
                DoubleVector.fromArray(D, out, at + cols + j).add(t.mul(t)).intoArray(out, at + cols + j);
                DoubleVector.fromArray(D, out, at + 2 * cols + j).add(r.mul(r)).intoArray(out, at + 2 * cols + j);
            }
            for (; j < cols; j++) {
                double t = target.getAtIndex(JAVA_FLOAT, row + j);
                double r = t - pred.getAtIndex(JAVA_FLOAT, row + j);
                out[at + j] += t;
                out[at + cols + j] += t * t;
                out[at + 2 * cols + j] += r * r;
            }
        }
    }

    /**
     * The index of the first maximum of a row; a NaN counts as the maximum (numpy's rule), so the
     * first NaN wins if there is one.
     */
    static int argmax(MemorySegment x, long row, int cols) {
        FloatVector best = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int j = 0; j < cols; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, cols);
            best = best.lanewise(VectorOperators.MAX, FloatVector.fromMemorySegment(S, x, (row + j) * Float.BYTES, ORDER, m), m);
        }
        float max = best.reduceLanes(VectorOperators.MAX);
        for (int j = 0; j < cols; j += S.length()) {
            VectorMask<Float> m = S.indexInRange(j, cols);
            FloatVector v = FloatVector.fromMemorySegment(S, x, (row + j) * Float.BYTES, ORDER, m);
            VectorMask<Float> hits = Float.isNaN(max) ? v.test(VectorOperators.IS_NAN) : v.compare(VectorOperators.EQ, max);
            hits = hits.and(m);
            if (hits.anyTrue()) {
                return j + hits.firstTrue();
            }
        }
        // Unreachable for cols ≥ 1: the maximum is one of the row's values.
        return 0;
    }
}
