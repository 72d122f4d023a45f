package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The register-tiled product C[r,:] = Σ_q A(r,q)·B[q,:], then + bias and an activation applied while the
 * tile is still in registers. A is read through strides, A(r,q) = a[r·rowStride + q·innerStride], so the
 * same kernel serves X·W (strides k, 1) and Xᵀ·dY (strides 1, k). B is [inner × n] and C is [rows × n].
 *
 * <p>Every element of C is one fma chain over q = 0, 1, ..., inner−1 starting from zero, followed by the
 * bias add, in whichever tile computes it; that is what makes any row split bit-identical.
 */
final class StridedProduct {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    /** Micro-tile height in rows of C. */
    private static final int TILE_ROWS = 4;
    /** Micro-tile width in vectors: 4×4 accumulators plus 4 B vectors and a broadcast fit the 32 AVX-512 registers. */
    private static final int TILE_VECTORS = 4;

    private StridedProduct() {
    }

    /** Computes rows [rowFrom, rowTo) of C; bias and pre may be null, act must be elementwise. */
    static void compute(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner, int n,
            MemorySegment bias, MemorySegment pre, MemorySegment c, Activation act, int rowFrom, int rowTo) {
        int r = rowFrom;
        for (; r + TILE_ROWS <= rowTo; r += TILE_ROWS) {
            int j = 0;
            for (; j + TILE_VECTORS * L <= n; j += TILE_VECTORS * L) {
                tile4x4(a, rowStride, innerStride, b, inner, n, bias, pre, c, act, r, j);
            }
            for (; j < n; j += L) {
                tile4x1(a, rowStride, innerStride, b, inner, n, bias, pre, c, act, r, j, S.indexInRange(j, n));
            }
        }
        for (; r < rowTo; r++) {
            for (int j = 0; j < n; j += L) {
                tile1x1(a, rowStride, innerStride, b, inner, n, bias, pre, c, act, r, j, S.indexInRange(j, n));
            }
        }
    }

    private static void tile4x4(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner, int n,
            MemorySegment bias, MemorySegment pre, MemorySegment c, Activation act, int r, int j) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector c00 = zero, c01 = zero, c02 = zero, c03 = zero;
        FloatVector c10 = zero, c11 = zero, c12 = zero, c13 = zero;
        FloatVector c20 = zero, c21 = zero, c22 = zero, c23 = zero;
        FloatVector c30 = zero, c31 = zero, c32 = zero, c33 = zero;
        long a0 = r * rowStride;
        for (int q = 0; q < inner; q++) {
            long bq = ((long) q * n + j) * Float.BYTES;
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bq, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bq + L * Float.BYTES, ORDER);
            FloatVector b2 = FloatVector.fromMemorySegment(S, b, bq + 2L * L * Float.BYTES, ORDER);
            FloatVector b3 = FloatVector.fromMemorySegment(S, b, bq + 3L * L * Float.BYTES, ORDER);
            long aq = a0 + q * innerStride;
            FloatVector x = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, aq));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, aq + rowStride));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, aq + 2 * rowStride));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, aq + 3 * rowStride));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
        }
        // Four column vectors, each with its bias loaded once for the four rows.
        FloatVector bias0 = loadBias(bias, j);
        store(c00, bias0, pre, c, act, n, r, j);
        store(c10, bias0, pre, c, act, n, r + 1, j);
        store(c20, bias0, pre, c, act, n, r + 2, j);
        store(c30, bias0, pre, c, act, n, r + 3, j);
        FloatVector bias1 = loadBias(bias, j + L);
        store(c01, bias1, pre, c, act, n, r, j + L);
        store(c11, bias1, pre, c, act, n, r + 1, j + L);
        store(c21, bias1, pre, c, act, n, r + 2, j + L);
        store(c31, bias1, pre, c, act, n, r + 3, j + L);
        FloatVector bias2 = loadBias(bias, j + 2 * L);
        store(c02, bias2, pre, c, act, n, r, j + 2 * L);
        store(c12, bias2, pre, c, act, n, r + 1, j + 2 * L);
        store(c22, bias2, pre, c, act, n, r + 2, j + 2 * L);
        store(c32, bias2, pre, c, act, n, r + 3, j + 2 * L);
        FloatVector bias3 = loadBias(bias, j + 3 * L);
        store(c03, bias3, pre, c, act, n, r, j + 3 * L);
        store(c13, bias3, pre, c, act, n, r + 1, j + 3 * L);
        store(c23, bias3, pre, c, act, n, r + 2, j + 3 * L);
        store(c33, bias3, pre, c, act, n, r + 3, j + 3 * L);
    }

    private static void tile4x1(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner, int n,
            MemorySegment bias, MemorySegment pre, MemorySegment c, Activation act, int r, int j, VectorMask<Float> m) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        long a0 = r * rowStride;
        for (int q = 0; q < inner; q++) {
            FloatVector bv = FloatVector.fromMemorySegment(S, b, ((long) q * n + j) * Float.BYTES, ORDER, m);
            long aq = a0 + q * innerStride;
            c0 = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, aq)).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, aq + rowStride)).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, aq + 2 * rowStride)).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, aq + 3 * rowStride)).fma(bv, c3);
        }
        FloatVector biasV = loadBias(bias, j, m);
        store(c0, biasV, pre, c, act, n, r, j, m);
        store(c1, biasV, pre, c, act, n, r + 1, j, m);
        store(c2, biasV, pre, c, act, n, r + 2, j, m);
        store(c3, biasV, pre, c, act, n, r + 3, j, m);
    }

    private static void tile1x1(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner, int n,
            MemorySegment bias, MemorySegment pre, MemorySegment c, Activation act, int r, int j, VectorMask<Float> m) {
        FloatVector c0 = FloatVector.zero(S);
        long a0 = r * rowStride;
        for (int q = 0; q < inner; q++) {
            FloatVector bv = FloatVector.fromMemorySegment(S, b, ((long) q * n + j) * Float.BYTES, ORDER, m);
            c0 = FloatVector.broadcast(S, a.getAtIndex(JAVA_FLOAT, a0 + q * innerStride)).fma(bv, c0);
        }
        store(c0, loadBias(bias, j, m), pre, c, act, n, r, j, m);
    }

    private static FloatVector loadBias(MemorySegment bias, int col) {
        return bias == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, bias, (long) col * Float.BYTES, ORDER);
    }

    private static FloatVector loadBias(MemorySegment bias, int col, VectorMask<Float> m) {
        return bias == null ? FloatVector.zero(S) : FloatVector.fromMemorySegment(S, bias, (long) col * Float.BYTES, ORDER, m);
    }

    /** The fused epilogue for a full vector: z = acc + bias, optionally kept as the pre-activation, then act(z) into C. */
    private static void store(FloatVector acc, FloatVector biasV, MemorySegment pre, MemorySegment c, Activation act,
            int n, int row, int col) {
        long o = ((long) row * n + col) * Float.BYTES;
        FloatVector z = acc.add(biasV);
        if (pre != null) {
            z.intoMemorySegment(pre, o, ORDER);
        }
        ActivationKernels.apply(act, z).intoMemorySegment(c, o, ORDER);
    }

    /** The fused epilogue for the lanes of m (same arithmetic as the full-vector form). */
    private static void store(FloatVector acc, FloatVector biasV, MemorySegment pre, MemorySegment c, Activation act,
            int n, int row, int col, VectorMask<Float> m) {
        long o = ((long) row * n + col) * Float.BYTES;
        FloatVector z = acc.add(biasV);
        if (pre != null) {
            z.intoMemorySegment(pre, o, ORDER, m);
        }
        ActivationKernels.apply(act, z).intoMemorySegment(c, o, ORDER, m);
    }
}
