package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

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
     * wTransposed = Wᵀ [n × k] (see {@link #transpose}) and dx [rows × k]. Overwrites those rows of dx.
     *
     * <p>Why from Wᵀ rather than W: read in place, each dx element is a dot product whose lanes must
     * be summed across the vector, and that horizontal sum rounds differently in the interpreter and
     * in C2-compiled code, so results changed with JIT timing. From Wᵀ it is the same fma-chain
     * product as the forward pass, exact to the bit whichever code path or thread computes it.
     */
    public static void matmulTransposeB(MemorySegment dy, MemorySegment wTransposed, MemorySegment dx, int k, int n,
            int rowFrom, int rowTo) {
        checkSizes(k, n);
        checkRange("row", rowFrom, rowTo);
        StridedProduct.compute(dy, n, 1, wTransposed, n, k, null, null, dx, Activation.LINEAR, rowFrom, rowTo);
    }

    /** wT[j,p] = w[p,j] for rows p in [pFrom, pTo) of w [k × n]; wT is [n × k]. */
    public static void transpose(MemorySegment w, MemorySegment wT, int k, int n, int pFrom, int pTo) {
        checkSizes(k, n);
        checkRange("row", pFrom, pTo);
        // A plain copy: it moves k·n floats once per step, against the 2·rows·k·n flops of the product.
        long kBytes = (long) k * Float.BYTES;
        for (int p = pFrom; p < pTo; p++) {
            long src = (long) p * n * Float.BYTES;
            long dst = (long) p * Float.BYTES;
            for (int j = 0; j < n; j++, src += Float.BYTES, dst += kBytes) {
                wT.set(JAVA_FLOAT, dst, w.get(JAVA_FLOAT, src));
            }
        }
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
        for (; j + L <= colTo; j += L) {
            FloatVector sum = FloatVector.zero(S);
            long o = (long) j * Float.BYTES;
            for (int i = 0; i < m; i++, o += rowBytes) {
                sum = sum.add(FloatVector.fromMemorySegment(S, dy, o, ORDER));
            }
            sum.intoMemorySegment(db, (long) j * Float.BYTES, ORDER);
        }
        // The last columns one by one: a masked load inside the row loop makes C2 box the sum. The
        // scalar sum adds the rows in the same order as a vector lane, so the bits do not depend on
        // which path a column takes.
        for (; j < colTo; j++) {
            float sum = 0f;
            long o = (long) j * Float.BYTES;
            for (int i = 0; i < m; i++, o += rowBytes) {
                sum += dy.get(JAVA_FLOAT, o);
            }
            db.set(JAVA_FLOAT, (long) j * Float.BYTES, sum);
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
