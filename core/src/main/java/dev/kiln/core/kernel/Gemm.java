package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The matrix products of a dense layer: the forward X·W + b with a fused activation, and the backward
 * dX = dY·Wᵀ, dW = Xᵀ·dY and db = Σ dY. Buffers are row-major float32; each method computes a range of
 * its output so callers can split it across threads, with bit-identical results for any split.
 *
 * <pre>{@code
 * // y = relu(x·w + b) for all 128 rows of a 128×784 batch into a 784→128 layer
 * Gemm.matmulBiasActivation(x, w, b, null, y, 784, 128, Activation.RELU, 0, 128);
 * }</pre>
 */
public final class Gemm {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    private static final int COLUMN_VECTORS = 4;

    private Gemm() {
    }

    /**
     * For rows i in [rowFrom, rowTo): z[i,:] = x[i,:]·W + bias and y[i,:] = act(z[i,:]), with x [rows × k],
     * W [k × n], bias [n] or null, y [rows × n]. If preActivation is non-null z is stored there too.
     *
     * @throws IllegalArgumentException if act is not elementwise (softmax runs separately) or a size is negative
     */
    public static void matmulBiasActivation(MemorySegment x, MemorySegment w, MemorySegment bias,
            MemorySegment preActivation, MemorySegment y, int k, int n, Activation act, int rowFrom, int rowTo) {
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("activation " + act
                    + " cannot be fused into the GEMM epilogue; expected an elementwise one (all but SOFTMAX)");
        }
        checkSizes(k, n);
        checkRange("row", rowFrom, rowTo);
        StridedProduct.compute(x, k, 1, w, k, n, bias, preActivation, y, act, rowFrom, rowTo);
    }

    /**
     * dx[i,p] = Σ_j dy[i,j]·W[p,j] (dx = dy·Wᵀ) for rows i in [rowFrom, rowTo), with dy [rows × n],
     * W [k × n], dx [rows × k]. Overwrites those rows of dx.
     */
    public static void matmulTransposeB(MemorySegment dy, MemorySegment w, MemorySegment dx, int k, int n, int rowFrom,
            int rowTo) {
        checkSizes(k, n);
        checkRange("row", rowFrom, rowTo);
        TransposedRightProduct.compute(dy, w, dx, k, n, rowFrom, rowTo);
    }

    /**
     * dw[p,:] = Σ_{i<m} x[i,p]·dy[i,:] (dW = Xᵀ·dY) for p in [pFrom, pTo), with x [m × k], dy [m × n],
     * dw [k × n]. Overwrites those rows of dw.
     */
    public static void transposeAMatmul(MemorySegment x, MemorySegment dy, MemorySegment dw, int m, int k, int n,
            int pFrom, int pTo) {
        checkSizes(k, n);
        if (m < 0) {
            throw new IllegalArgumentException("m (rows) must be ≥ 0, was " + m);
        }
        checkRange("p", pFrom, pTo);
        // Row p of Xᵀ is column p of x: consecutive p are adjacent (stride 1), consecutive i are k apart.
        StridedProduct.compute(x, 1, k, dy, m, n, null, null, dw, Activation.LINEAR, pFrom, pTo);
    }

    /** db[j] = Σ_{i<m} dy[i,j] for columns j in [colFrom, colTo), dy [m × n]; overwrites db there. */
    public static void columnSums(MemorySegment dy, MemorySegment db, int m, int n, int colFrom, int colTo) {
        if (m < 0 || n < 0) {
            throw new IllegalArgumentException("m and n must be ≥ 0, were " + m + " and " + n);
        }
        checkRange("column", colFrom, colTo);
        long rowBytes = (long) n * Float.BYTES;
        int j = colFrom;
        // Four independent column vectors per pass over the rows keep several adds in flight.
        for (; j + COLUMN_VECTORS * L <= colTo; j += COLUMN_VECTORS * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            long o = (long) j * Float.BYTES;
            for (int i = 0; i < m; i++, o += rowBytes) {
                s0 = s0.add(FloatVector.fromMemorySegment(S, dy, o, ORDER));
                s1 = s1.add(FloatVector.fromMemorySegment(S, dy, o + (long) L * Float.BYTES, ORDER));
                s2 = s2.add(FloatVector.fromMemorySegment(S, dy, o + 2L * L * Float.BYTES, ORDER));
                s3 = s3.add(FloatVector.fromMemorySegment(S, dy, o + 3L * L * Float.BYTES, ORDER));
            }
            long out = (long) j * Float.BYTES;
            s0.intoMemorySegment(db, out, ORDER);
            s1.intoMemorySegment(db, out + (long) L * Float.BYTES, ORDER);
            s2.intoMemorySegment(db, out + 2L * L * Float.BYTES, ORDER);
            s3.intoMemorySegment(db, out + 3L * L * Float.BYTES, ORDER);
        }
        for (; j < colTo; j += L) {
            VectorMask<Float> mask = S.indexInRange(j, colTo);
            FloatVector s = FloatVector.zero(S);
            long o = (long) j * Float.BYTES;
            for (int i = 0; i < m; i++, o += rowBytes) {
                s = s.add(FloatVector.fromMemorySegment(S, dy, o, ORDER, mask));
            }
            s.intoMemorySegment(db, (long) j * Float.BYTES, ORDER, mask);
        }
    }

    private static void checkSizes(int k, int n) {
        if (k < 0 || n < 0) {
            throw new IllegalArgumentException("k and n must be ≥ 0, were " + k + " and " + n);
        }
    }

    private static void checkRange(String what, int from, int to) {
        if (from < 0 || from > to) {
            throw new IllegalArgumentException(what + " range must satisfy 0 ≤ from ≤ to, was [" + from + ", " + to + ")");
        }
    }
}
