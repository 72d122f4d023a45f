package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * The engine's first register-tiled product, kept with the tests as {@link Gemm}'s kernel (the engine
 * now uses PackedGemm and BlockedGemm): C[r,:] = Σ_q A(r,q)·B[q,:] + bias, then an elementwise activation. A is
 * read through strides, A(r,q) = a[r·rowStride + q·innerStride], so the same kernel serves X·W
 * (strides k, 1) and Xᵀ·dY (strides 1, k). B is [inner × n] and C is [rows × n].
 *
 * <p>Every element of C is one fma chain over q = 0, 1, ..., inner−1 starting from zero, then the bias
 * add, in whichever tile computes it; that is what makes any row split bit-identical.
 *
 * <p>Why a 4 × 3-vector tile and not the 4 × 4 that AVX-512's 32 registers would hold: with sixteen
 * accumulators C2 (JDK 25) stops treating the vectors as registers and boxes every one of them on
 * every iteration, which costs a factor of ten; twelve stay unboxed. For the same reason the epilogue
 * adds the bias to the accumulators in registers but runs the activation over each finished block of
 * four rows (still in L1) rather than inside the tile, where the activation's switch grew the tile
 * beyond what C2 inlines.
 */
final class StridedProduct {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    private static final long VECTOR_BYTES = (long) L * Float.BYTES;
    private static final int TILE_ROWS = 4;
    private static final int TILE_VECTORS = 3;

    private StridedProduct() {
    }

    /** Computes rows [rowFrom, rowTo) of C; bias and pre may be null, act must be elementwise. */
    static void compute(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner, int n,
            MemorySegment bias, MemorySegment pre, MemorySegment c, Activation act, int rowFrom, int rowTo) {
        // With a pre-activation buffer the tiles write z there and the activation reads it into C.
        MemorySegment z = pre != null ? pre : c;
        int r = rowFrom;
        for (; r + TILE_ROWS <= rowTo; r += TILE_ROWS) {
            int j = 0;
            for (; j + TILE_VECTORS * L <= n; j += TILE_VECTORS * L) {
                tile4x3(a, rowStride, innerStride, b, inner, n, bias, z, r, j);
            }
            for (; j + L <= n; j += L) {
                tile4x1(a, rowStride, innerStride, b, inner, n, bias, z, r, j);
            }
            if (j < n) {
                tile4x1Masked(a, rowStride, innerStride, b, inner, n, bias, z, r, j);
            }
            activate(act, z, c, n, r, r + TILE_ROWS);
        }
        for (; r < rowTo; r++) {
            for (int j = 0; j < n; j += L) {
                tile1x1(a, rowStride, innerStride, b, inner, n, bias, z, r, j);
            }
            activate(act, z, c, n, r, r + 1);
        }
    }

    private static void activate(Activation act, MemorySegment z, MemorySegment c, int n, int rowFrom, int rowTo) {
        if (act != Activation.LINEAR) {
            ActivationKernels.forward(act, z, c, (long) rowFrom * n, (long) rowTo * n);
        } else if (z != c) {
            MemorySegment.copy(z, (long) rowFrom * n * Float.BYTES, c, (long) rowFrom * n * Float.BYTES,
                    (long) (rowTo - rowFrom) * n * Float.BYTES);
        }
    }

    private static void tile4x3(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner, int n,
            MemorySegment bias, MemorySegment z, int r, int j) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        long rowBytes = rowStride * Float.BYTES;
        long aq = r * rowBytes;
        long innerBytes = innerStride * Float.BYTES;
        long bq = (long) j * Float.BYTES;
        long bRowBytes = (long) n * Float.BYTES;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += bRowBytes) {
            FloatVector b0 = FloatVector.fromMemorySegment(S, b, bq, ORDER);
            FloatVector b1 = FloatVector.fromMemorySegment(S, b, bq + VECTOR_BYTES, ORDER);
            FloatVector b2 = FloatVector.fromMemorySegment(S, b, bq + 2 * VECTOR_BYTES, ORDER);
            FloatVector x0 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq));
            FloatVector x1 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + rowBytes));
            FloatVector x2 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 2 * rowBytes));
            FloatVector x3 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 3 * rowBytes));
            c00 = x0.fma(b0, c00);
            c01 = x0.fma(b1, c01);
            c02 = x0.fma(b2, c02);
            c10 = x1.fma(b0, c10);
            c11 = x1.fma(b1, c11);
            c12 = x1.fma(b2, c12);
            c20 = x2.fma(b0, c20);
            c21 = x2.fma(b1, c21);
            c22 = x2.fma(b2, c22);
            c30 = x3.fma(b0, c30);
            c31 = x3.fma(b1, c31);
            c32 = x3.fma(b2, c32);
        }
        if (bias != null) {
            long bo = (long) j * Float.BYTES;
            FloatVector bias0 = FloatVector.fromMemorySegment(S, bias, bo, ORDER);
            FloatVector bias1 = FloatVector.fromMemorySegment(S, bias, bo + VECTOR_BYTES, ORDER);
            FloatVector bias2 = FloatVector.fromMemorySegment(S, bias, bo + 2 * VECTOR_BYTES, ORDER);
            c00 = c00.add(bias0);
            c01 = c01.add(bias1);
            c02 = c02.add(bias2);
            c10 = c10.add(bias0);
            c11 = c11.add(bias1);
            c12 = c12.add(bias2);
            c20 = c20.add(bias0);
            c21 = c21.add(bias1);
            c22 = c22.add(bias2);
            c30 = c30.add(bias0);
            c31 = c31.add(bias1);
            c32 = c32.add(bias2);
        }
        long o = ((long) r * n + j) * Float.BYTES;
        c00.intoMemorySegment(z, o, ORDER);
        c01.intoMemorySegment(z, o + VECTOR_BYTES, ORDER);
        c02.intoMemorySegment(z, o + 2 * VECTOR_BYTES, ORDER);
        o += bRowBytes;
        c10.intoMemorySegment(z, o, ORDER);
        c11.intoMemorySegment(z, o + VECTOR_BYTES, ORDER);
        c12.intoMemorySegment(z, o + 2 * VECTOR_BYTES, ORDER);
        o += bRowBytes;
        c20.intoMemorySegment(z, o, ORDER);
        c21.intoMemorySegment(z, o + VECTOR_BYTES, ORDER);
        c22.intoMemorySegment(z, o + 2 * VECTOR_BYTES, ORDER);
        o += bRowBytes;
        c30.intoMemorySegment(z, o, ORDER);
        c31.intoMemorySegment(z, o + VECTOR_BYTES, ORDER);
        c32.intoMemorySegment(z, o + 2 * VECTOR_BYTES, ORDER);
    }

    private static void tile4x1(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner, int n,
            MemorySegment bias, MemorySegment z, int r, int j) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        long rowBytes = rowStride * Float.BYTES;
        long aq = r * rowBytes;
        long innerBytes = innerStride * Float.BYTES;
        long bq = (long) j * Float.BYTES;
        long bRowBytes = (long) n * Float.BYTES;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += bRowBytes) {
            FloatVector bv = FloatVector.fromMemorySegment(S, b, bq, ORDER);
            c0 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq)).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + rowBytes)).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 2 * rowBytes)).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 3 * rowBytes)).fma(bv, c3);
        }
        if (bias != null) {
            FloatVector bv = FloatVector.fromMemorySegment(S, bias, (long) j * Float.BYTES, ORDER);
            c0 = c0.add(bv);
            c1 = c1.add(bv);
            c2 = c2.add(bv);
            c3 = c3.add(bv);
        }
        long o = ((long) r * n + j) * Float.BYTES;
        c0.intoMemorySegment(z, o, ORDER);
        c1.intoMemorySegment(z, o + bRowBytes, ORDER);
        c2.intoMemorySegment(z, o + 2 * bRowBytes, ORDER);
        c3.intoMemorySegment(z, o + 3 * bRowBytes, ORDER);
    }

    private static void tile4x1Masked(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner,
            int n, MemorySegment bias, MemorySegment z, int r, int j) {
        // Made here rather than passed in: a mask that crosses a call C2 does not inline is a heap object.
        VectorMask<Float> m = S.indexInRange(j, n);
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        long rowBytes = rowStride * Float.BYTES;
        long aq = r * rowBytes;
        long innerBytes = innerStride * Float.BYTES;
        long bq = (long) j * Float.BYTES;
        long bRowBytes = (long) n * Float.BYTES;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += bRowBytes) {
            FloatVector bv = FloatVector.fromMemorySegment(S, b, bq, ORDER, m);
            c0 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq)).fma(bv, c0);
            c1 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + rowBytes)).fma(bv, c1);
            c2 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 2 * rowBytes)).fma(bv, c2);
            c3 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 3 * rowBytes)).fma(bv, c3);
        }
        if (bias != null) {
            FloatVector bv = FloatVector.fromMemorySegment(S, bias, (long) j * Float.BYTES, ORDER, m);
            c0 = c0.add(bv);
            c1 = c1.add(bv);
            c2 = c2.add(bv);
            c3 = c3.add(bv);
        }
        long o = ((long) r * n + j) * Float.BYTES;
        c0.intoMemorySegment(z, o, ORDER, m);
        c1.intoMemorySegment(z, o + bRowBytes, ORDER, m);
        c2.intoMemorySegment(z, o + 2 * bRowBytes, ORDER, m);
        c3.intoMemorySegment(z, o + 3 * bRowBytes, ORDER, m);
    }

    private static void tile1x1(MemorySegment a, long rowStride, long innerStride, MemorySegment b, int inner, int n,
            MemorySegment bias, MemorySegment z, int r, int j) {
        VectorMask<Float> m = S.indexInRange(j, n);
        FloatVector c0 = FloatVector.zero(S);
        long aq = r * rowStride * Float.BYTES;
        long innerBytes = innerStride * Float.BYTES;
        long bq = (long) j * Float.BYTES;
        long bRowBytes = (long) n * Float.BYTES;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += bRowBytes) {
            FloatVector bv = FloatVector.fromMemorySegment(S, b, bq, ORDER, m);
            c0 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq)).fma(bv, c0);
        }
        if (bias != null) {
            c0 = c0.add(FloatVector.fromMemorySegment(S, bias, (long) j * Float.BYTES, ORDER, m));
        }
        c0.intoMemorySegment(z, ((long) r * n + j) * Float.BYTES, ORDER, m);
    }
}
