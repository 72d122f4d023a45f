package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Layer and batch normalization, forward and backward, over row-major [rows × cols] buffers.
 * Layer normalization works on each row (its statistics are a mean and 1/√(var + ε) per row);
 * batch normalization on each column across the batch rows (a mean and 1/√(var + ε) per column).
 * Variances are biased (divided by the count), as Keras computes them. Every loop has a vector body
 * and a scalar tail; nothing is allocated. A null gamma means 1 and a null beta 0.
 *
 * <pre>{@code
 * NormalizationKernels.layerNormForward(x, gamma, beta, y, stats, 64, 1e-3f, 0, rows);
 * }</pre>
 */
public final class NormalizationKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private NormalizationKernels() {
    }

    // ---- layer normalization (per row) -------------------------------------------------------------

    /**
     * y = γ·(x − μ)·r + β per row, r = 1/√(var + ε); when {@code stats} is non-null, μ and r of row i are
     * stored at {@code stats[2i]} and {@code stats[2i + 1]} for the backward pass.
     */
    public static void layerNormForward(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
            MemorySegment stats, int cols, float epsilon, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            float mean = (float) (sum(x, row, cols) / cols);
            float var = (float) (sumSquaredDeviation(x, row, cols, mean) / cols);
            float r = (float) (1.0 / Math.sqrt(var + (double) epsilon));
            if (stats != null) {
                stats.setAtIndex(JAVA_FLOAT, 2L * i, mean);
                stats.setAtIndex(JAVA_FLOAT, 2L * i + 1, r);
            }
            normalizeRow(x, gamma, beta, y, row, cols, mean, r);
        }
    }

    /**
     * dx = r·(g − mean(g) − x̂·mean(g·x̂)) per row, with g = dy·γ and x̂ = (x − μ)·r from the stats the
     * training forward stored.
     */
    public static void layerNormBackwardInput(MemorySegment x, MemorySegment gamma, MemorySegment dy,
            MemorySegment stats, MemorySegment dx, int cols, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            float mean = stats.getAtIndex(JAVA_FLOAT, 2L * i);
            float r = stats.getAtIndex(JAVA_FLOAT, 2L * i + 1);
            float sumG = (float) (gamma == null ? sum(dy, row, cols) : dotWithGamma(dy, gamma, row, cols));
            float sumGX = gradientDotXhat(x, gamma, dy, row, cols, mean, r);
            layerNormInputRow(x, gamma, dy, dx, row, cols, mean, r, sumG / cols, sumGX / cols);
        }
    }

    /** dγ = Σ_rows dy·x̂ and dβ = Σ_rows dy over rows [0, rows), each nullable; columns in vector lanes. */
    public static void layerNormParameterGradients(MemorySegment x, MemorySegment stats, MemorySegment dy,
            MemorySegment dGamma, MemorySegment dBeta, int cols, int rows) {
        if (dGamma != null) {
            dGamma.asSlice(0, (long) cols * Float.BYTES).fill((byte) 0);
        }
        if (dBeta != null) {
            dBeta.asSlice(0, (long) cols * Float.BYTES).fill((byte) 0);
        }
        for (int i = 0; i < rows; i++) {
            long row = (long) i * cols;
            accumulateRow(x, dy, dGamma, dBeta, row, cols, stats.getAtIndex(JAVA_FLOAT, 2L * i),
                    stats.getAtIndex(JAVA_FLOAT, 2L * i + 1));
        }
    }

    // ---- batch normalization (per column) ----------------------------------------------------------

    /** Per column over rows [0, rows): the mean into {@code mean[j]} and the biased variance into {@code var[j]}. */
    public static void columnMoments(MemorySegment x, MemorySegment mean, MemorySegment var, int cols, int rows) {
        mean.asSlice(0, (long) cols * Float.BYTES).fill((byte) 0);
        var.asSlice(0, (long) cols * Float.BYTES).fill((byte) 0);
        for (int i = 0; i < rows; i++) {
            addRow(x, (long) i * cols, mean, cols);
        }
        scale(mean, cols, 1f / rows);
        for (int i = 0; i < rows; i++) {
            addSquaredDeviation(x, (long) i * cols, mean, var, cols);
        }
        scale(var, cols, 1f / rows);
    }

    /**
     * From per-column mean and variance: {@code invStd = 1/√(var + ε)}, {@code scale = γ·invStd},
     * {@code shift = β − mean·scale}, so that y = x·scale + shift; {@code invStd} may be null.
     */
    public static void affineFromMoments(MemorySegment mean, MemorySegment var, MemorySegment gamma,
            MemorySegment beta, float epsilon, MemorySegment invStd, MemorySegment scale, MemorySegment shift, int cols) {
        for (int j = 0; j < cols; j++) {
            float r = (float) (1.0 / Math.sqrt(var.getAtIndex(JAVA_FLOAT, j) + (double) epsilon));
            float g = gamma == null ? 1f : gamma.getAtIndex(JAVA_FLOAT, j);
            float b = beta == null ? 0f : beta.getAtIndex(JAVA_FLOAT, j);
            float s = g * r;
            if (invStd != null) {
                invStd.setAtIndex(JAVA_FLOAT, j, r);
            }
            scale.setAtIndex(JAVA_FLOAT, j, s);
            shift.setAtIndex(JAVA_FLOAT, j, b - mean.getAtIndex(JAVA_FLOAT, j) * s);
        }
    }

    /** y = x·scale + shift, per column, for rows [rowFrom, rowTo). */
    public static void applyAffine(MemorySegment x, MemorySegment scale, MemorySegment shift, MemorySegment y,
            int cols, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            int j = 0;
            for (; j <= cols - L; j += L) {
                FloatVector v = FloatVector.fromMemorySegment(S, x, (row + j) * Float.BYTES, ORDER);
                FloatVector s = FloatVector.fromMemorySegment(S, scale, (long) j * Float.BYTES, ORDER);
                FloatVector b = FloatVector.fromMemorySegment(S, shift, (long) j * Float.BYTES, ORDER);
                v.fma(s, b).intoMemorySegment(y, (row + j) * Float.BYTES, ORDER);
            }
            for (; j < cols; j++) {
                y.setAtIndex(JAVA_FLOAT, row + j, Math.fma(x.getAtIndex(JAVA_FLOAT, row + j),
                        scale.getAtIndex(JAVA_FLOAT, j), shift.getAtIndex(JAVA_FLOAT, j)));
            }
        }
    }

    /**
     * moving = moving·momentum + batch·(1 − momentum), per column; stored only when {@code write}.
     * Returns whether every new value is finite, so a training step can ask before it commits.
     */
    public static boolean updateMoving(MemorySegment moving, MemorySegment batch, float momentum, int cols,
            boolean write) {
        boolean finite = true;
        for (int j = 0; j < cols; j++) {
            float value = moving.getAtIndex(JAVA_FLOAT, j) * momentum + batch.getAtIndex(JAVA_FLOAT, j) * (1f - momentum);
            finite &= Float.isFinite(value);
            if (write) {
                moving.setAtIndex(JAVA_FLOAT, j, value);
            }
        }
        return finite;
    }

    /**
     * Σ_rows dy into {@code sumDy} and Σ_rows dy·x̂ into {@code sumDyXhat} per column, x̂ = (x − mean)·invStd:
     * the batch reductions of the batch-norm backward pass (they are dβ and dγ).
     */
    public static void batchNormReductions(MemorySegment x, MemorySegment dy, MemorySegment mean,
            MemorySegment invStd, MemorySegment sumDy, MemorySegment sumDyXhat, int cols, int rows) {
        sumDy.asSlice(0, (long) cols * Float.BYTES).fill((byte) 0);
        sumDyXhat.asSlice(0, (long) cols * Float.BYTES).fill((byte) 0);
        for (int i = 0; i < rows; i++) {
            accumulateBatchRow(x, dy, mean, invStd, sumDy, sumDyXhat, (long) i * cols, cols);
        }
    }

    /** dx = γ·invStd·(dy − Σdy/N − x̂·Σ(dy·x̂)/N) for rows [rowFrom, rowTo), N = {@code rows}. */
    public static void batchNormBackwardInput(MemorySegment x, MemorySegment dy, MemorySegment gamma,
            MemorySegment mean, MemorySegment invStd, MemorySegment sumDy, MemorySegment sumDyXhat, MemorySegment dx,
            int cols, int rows, int rowFrom, int rowTo) {
        float n = 1f / rows;
        for (int i = rowFrom; i < rowTo; i++) {
            batchNormInputRow(x, dy, gamma, mean, invStd, sumDy, sumDyXhat, dx, (long) i * cols, cols, n);
        }
    }

    // ---- small vector helpers (kept small so C2 inlines them and keeps vectors in registers) -------

    /** Σ dy·γ over a row. */
    private static double dotWithGamma(MemorySegment dy, MemorySegment gamma, long row, int cols) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j <= cols - L; j += L) {
            acc = FloatVector.fromMemorySegment(S, dy, (row + j) * Float.BYTES, ORDER)
                    .fma(FloatVector.fromMemorySegment(S, gamma, (long) j * Float.BYTES, ORDER), acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < cols; j++) {
            s += dy.getAtIndex(JAVA_FLOAT, row + j) * gamma.getAtIndex(JAVA_FLOAT, j);
        }
        return s;
    }

    /** Σ (dy·γ)·x̂ over a row, x̂ = (x − mean)·r. */
    private static float gradientDotXhat(MemorySegment x, MemorySegment gamma, MemorySegment dy, long row, int cols,
            float mean, float r) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j <= cols - L; j += L) {
            long o = (row + j) * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(S, dy, o, ORDER);
            if (gamma != null) {
                g = g.mul(FloatVector.fromMemorySegment(S, gamma, (long) j * Float.BYTES, ORDER));
            }
            acc = FloatVector.fromMemorySegment(S, x, o, ORDER).sub(mean).mul(r).fma(g, acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < cols; j++) {
            float g = dy.getAtIndex(JAVA_FLOAT, row + j) * (gamma == null ? 1f : gamma.getAtIndex(JAVA_FLOAT, j));
            s += (double) g * ((x.getAtIndex(JAVA_FLOAT, row + j) - mean) * r);
        }
        return (float) s;
    }

    /** One row of the batch-norm input gradient; n = 1/N. */
    private static void batchNormInputRow(MemorySegment x, MemorySegment dy, MemorySegment gamma, MemorySegment mean,
            MemorySegment invStd, MemorySegment sumDy, MemorySegment sumDyXhat, MemorySegment dx, long row, int cols,
            float n) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            long o = (row + j) * Float.BYTES;
            long c = (long) j * Float.BYTES;
            FloatVector r = FloatVector.fromMemorySegment(S, invStd, c, ORDER);
            FloatVector xhat = FloatVector.fromMemorySegment(S, x, o, ORDER)
                    .sub(FloatVector.fromMemorySegment(S, mean, c, ORDER)).mul(r);
            FloatVector d = FloatVector.fromMemorySegment(S, dy, o, ORDER)
                    .sub(FloatVector.fromMemorySegment(S, sumDy, c, ORDER).mul(n))
                    .sub(xhat.mul(FloatVector.fromMemorySegment(S, sumDyXhat, c, ORDER).mul(n)));
            if (gamma != null) {
                r = r.mul(FloatVector.fromMemorySegment(S, gamma, c, ORDER));
            }
            d.mul(r).intoMemorySegment(dx, o, ORDER);
        }
        for (; j < cols; j++) {
            float r = invStd.getAtIndex(JAVA_FLOAT, j);
            float xhat = (x.getAtIndex(JAVA_FLOAT, row + j) - mean.getAtIndex(JAVA_FLOAT, j)) * r;
            float g = gamma == null ? 1f : gamma.getAtIndex(JAVA_FLOAT, j);
            float d = dy.getAtIndex(JAVA_FLOAT, row + j) - sumDy.getAtIndex(JAVA_FLOAT, j) * n
                    - xhat * (sumDyXhat.getAtIndex(JAVA_FLOAT, j) * n);
            dx.setAtIndex(JAVA_FLOAT, row + j, d * (r * g));
        }
    }

    private static double sum(MemorySegment x, long row, int cols) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j <= cols - L; j += L) {
            acc = acc.add(FloatVector.fromMemorySegment(S, x, (row + j) * Float.BYTES, ORDER));
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < cols; j++) {
            s += x.getAtIndex(JAVA_FLOAT, row + j);
        }
        return s;
    }

    private static double sumSquaredDeviation(MemorySegment x, long row, int cols, float mean) {
        FloatVector acc = FloatVector.zero(S);
        int j = 0;
        for (; j <= cols - L; j += L) {
            FloatVector d = FloatVector.fromMemorySegment(S, x, (row + j) * Float.BYTES, ORDER).sub(mean);
            acc = d.fma(d, acc);
        }
        double s = acc.reduceLanes(VectorOperators.ADD);
        for (; j < cols; j++) {
            double d = x.getAtIndex(JAVA_FLOAT, row + j) - mean;
            s += d * d;
        }
        return s;
    }

    private static void normalizeRow(MemorySegment x, MemorySegment gamma, MemorySegment beta, MemorySegment y,
            long row, int cols, float mean, float r) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            FloatVector v = FloatVector.fromMemorySegment(S, x, (row + j) * Float.BYTES, ORDER).sub(mean).mul(r);
            if (gamma != null) {
                v = v.mul(FloatVector.fromMemorySegment(S, gamma, (long) j * Float.BYTES, ORDER));
            }
            if (beta != null) {
                v = v.add(FloatVector.fromMemorySegment(S, beta, (long) j * Float.BYTES, ORDER));
            }
            v.intoMemorySegment(y, (row + j) * Float.BYTES, ORDER);
        }
        for (; j < cols; j++) {
            float v = (x.getAtIndex(JAVA_FLOAT, row + j) - mean) * r;
            if (gamma != null) {
                v *= gamma.getAtIndex(JAVA_FLOAT, j);
            }
            if (beta != null) {
                v += beta.getAtIndex(JAVA_FLOAT, j);
            }
            y.setAtIndex(JAVA_FLOAT, row + j, v);
        }
    }

    private static void layerNormInputRow(MemorySegment x, MemorySegment gamma, MemorySegment dy, MemorySegment dx,
            long row, int cols, float mean, float r, float meanG, float meanGX) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            long o = (row + j) * Float.BYTES;
            FloatVector g = FloatVector.fromMemorySegment(S, dy, o, ORDER);
            if (gamma != null) {
                g = g.mul(FloatVector.fromMemorySegment(S, gamma, (long) j * Float.BYTES, ORDER));
            }
            FloatVector xhat = FloatVector.fromMemorySegment(S, x, o, ORDER).sub(mean).mul(r);
            g.sub(meanG).sub(xhat.mul(meanGX)).mul(r).intoMemorySegment(dx, o, ORDER);
        }
        for (; j < cols; j++) {
            float g = dy.getAtIndex(JAVA_FLOAT, row + j) * (gamma == null ? 1f : gamma.getAtIndex(JAVA_FLOAT, j));
            float xhat = (x.getAtIndex(JAVA_FLOAT, row + j) - mean) * r;
            dx.setAtIndex(JAVA_FLOAT, row + j, (g - meanG - xhat * meanGX) * r);
        }
    }

    private static void accumulateRow(MemorySegment x, MemorySegment dy, MemorySegment dGamma, MemorySegment dBeta,
            long row, int cols, float mean, float r) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            long o = (row + j) * Float.BYTES;
            long c = (long) j * Float.BYTES;
            FloatVector d = FloatVector.fromMemorySegment(S, dy, o, ORDER);
            if (dGamma != null) {
                FloatVector xhat = FloatVector.fromMemorySegment(S, x, o, ORDER).sub(mean).mul(r);
                d.fma(xhat, FloatVector.fromMemorySegment(S, dGamma, c, ORDER)).intoMemorySegment(dGamma, c, ORDER);
            }
            if (dBeta != null) {
                d.add(FloatVector.fromMemorySegment(S, dBeta, c, ORDER)).intoMemorySegment(dBeta, c, ORDER);
            }
        }
        for (; j < cols; j++) {
            float d = dy.getAtIndex(JAVA_FLOAT, row + j);
            if (dGamma != null) {
                float xhat = (x.getAtIndex(JAVA_FLOAT, row + j) - mean) * r;
                dGamma.setAtIndex(JAVA_FLOAT, j, dGamma.getAtIndex(JAVA_FLOAT, j) + d * xhat);
            }
            if (dBeta != null) {
                dBeta.setAtIndex(JAVA_FLOAT, j, dBeta.getAtIndex(JAVA_FLOAT, j) + d);
            }
        }
    }

    private static void addRow(MemorySegment x, long row, MemorySegment acc, int cols) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            long c = (long) j * Float.BYTES;
            FloatVector.fromMemorySegment(S, x, (row + j) * Float.BYTES, ORDER)
                    .add(FloatVector.fromMemorySegment(S, acc, c, ORDER)).intoMemorySegment(acc, c, ORDER);
        }
        for (; j < cols; j++) {
            acc.setAtIndex(JAVA_FLOAT, j, acc.getAtIndex(JAVA_FLOAT, j) + x.getAtIndex(JAVA_FLOAT, row + j));
        }
    }

    private static void addSquaredDeviation(MemorySegment x, long row, MemorySegment mean, MemorySegment acc, int cols) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            long c = (long) j * Float.BYTES;
            FloatVector d = FloatVector.fromMemorySegment(S, x, (row + j) * Float.BYTES, ORDER)
                    .sub(FloatVector.fromMemorySegment(S, mean, c, ORDER));
            d.fma(d, FloatVector.fromMemorySegment(S, acc, c, ORDER)).intoMemorySegment(acc, c, ORDER);
        }
        for (; j < cols; j++) {
            float d = x.getAtIndex(JAVA_FLOAT, row + j) - mean.getAtIndex(JAVA_FLOAT, j);
            acc.setAtIndex(JAVA_FLOAT, j, Math.fma(d, d, acc.getAtIndex(JAVA_FLOAT, j)));
        }
    }

    private static void accumulateBatchRow(MemorySegment x, MemorySegment dy, MemorySegment mean, MemorySegment invStd,
            MemorySegment sumDy, MemorySegment sumDyXhat, long row, int cols) {
        int j = 0;
        for (; j <= cols - L; j += L) {
            long o = (row + j) * Float.BYTES;
            long c = (long) j * Float.BYTES;
            FloatVector d = FloatVector.fromMemorySegment(S, dy, o, ORDER);
            FloatVector xhat = FloatVector.fromMemorySegment(S, x, o, ORDER)
                    .sub(FloatVector.fromMemorySegment(S, mean, c, ORDER))
                    .mul(FloatVector.fromMemorySegment(S, invStd, c, ORDER));
            d.add(FloatVector.fromMemorySegment(S, sumDy, c, ORDER)).intoMemorySegment(sumDy, c, ORDER);
            d.fma(xhat, FloatVector.fromMemorySegment(S, sumDyXhat, c, ORDER)).intoMemorySegment(sumDyXhat, c, ORDER);
        }
        for (; j < cols; j++) {
            float d = dy.getAtIndex(JAVA_FLOAT, row + j);
            float xhat = (x.getAtIndex(JAVA_FLOAT, row + j) - mean.getAtIndex(JAVA_FLOAT, j)) * invStd.getAtIndex(JAVA_FLOAT, j);
            sumDy.setAtIndex(JAVA_FLOAT, j, sumDy.getAtIndex(JAVA_FLOAT, j) + d);
            sumDyXhat.setAtIndex(JAVA_FLOAT, j, Math.fma(d, xhat, sumDyXhat.getAtIndex(JAVA_FLOAT, j)));
        }
    }

    private static void scale(MemorySegment v, int cols, float factor) {
        for (int j = 0; j < cols; j++) {
            v.setAtIndex(JAVA_FLOAT, j, v.getAtIndex(JAVA_FLOAT, j) * factor);
        }
    }
}
