package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * D = A·Bᵀ without forming Bᵀ: D[i,p] = Σ_j A[i,j]·B[p,j] is a dot product of two contiguous rows.
 * A is [rows × n], B is [k × n], D is [rows × k].
 *
 * <p>Every element is the same computation in whichever tile: one lane-wise fma chain over the full
 * vectors of j, one masked fma for the tail, then {@link VectorMath#sumLanes}. So any row split is
 * bit-identical.
 */
final class TransposedRightProduct {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    private static final int TILE_ROWS = 4;
    /** Two columns of D per tile: 4×2 accumulators keep the method small enough for C1 (see the tail comment). */
    private static final int TILE_COLUMNS = 2;

    private TransposedRightProduct() {
    }

    /** Computes rows [rowFrom, rowTo) of D, overwriting them. */
    static void compute(MemorySegment a, MemorySegment b, MemorySegment d, int k, int n, int rowFrom, int rowTo) {
        int bound = S.loopBound(n);
        VectorMask<Float> tail = S.indexInRange(bound, n);
        int i = rowFrom;
        for (; i + TILE_ROWS <= rowTo; i += TILE_ROWS) {
            int p = 0;
            for (; p + TILE_COLUMNS <= k; p += TILE_COLUMNS) {
                tile4x2(a, b, d, k, n, i, p);
            }
            for (; p < k; p++) {
                for (int r = i; r < i + TILE_ROWS; r++) {
                    d.setAtIndex(JAVA_FLOAT, (long) r * k + p, dot(a, b, n, bound, tail, r, p));
                }
            }
        }
        for (; i < rowTo; i++) {
            for (int p = 0; p < k; p++) {
                d.setAtIndex(JAVA_FLOAT, (long) i * k + p, dot(a, b, n, bound, tail, i, p));
            }
        }
    }

    private static void tile4x2(MemorySegment a, MemorySegment b, MemorySegment d, int k, int n, int i, int p) {
        FloatVector s00 = FloatVector.zero(S), s01 = FloatVector.zero(S);
        FloatVector s10 = FloatVector.zero(S), s11 = FloatVector.zero(S);
        FloatVector s20 = FloatVector.zero(S), s21 = FloatVector.zero(S);
        FloatVector s30 = FloatVector.zero(S), s31 = FloatVector.zero(S);
        long rowBytes = (long) n * Float.BYTES;
        long a0 = i * rowBytes;
        long b0 = p * rowBytes;
        int bound = S.loopBound(n);
        for (int j = 0; j < bound; j += L) {
            long o = (long) j * Float.BYTES;
            FloatVector x0 = FloatVector.fromMemorySegment(S, a, a0 + o, ORDER);
            FloatVector x1 = FloatVector.fromMemorySegment(S, a, a0 + rowBytes + o, ORDER);
            FloatVector x2 = FloatVector.fromMemorySegment(S, a, a0 + 2 * rowBytes + o, ORDER);
            FloatVector x3 = FloatVector.fromMemorySegment(S, a, a0 + 3 * rowBytes + o, ORDER);
            FloatVector w = FloatVector.fromMemorySegment(S, b, b0 + o, ORDER);
            s00 = x0.fma(w, s00);
            s10 = x1.fma(w, s10);
            s20 = x2.fma(w, s20);
            s30 = x3.fma(w, s30);
            w = FloatVector.fromMemorySegment(S, b, b0 + rowBytes + o, ORDER);
            s01 = x0.fma(w, s01);
            s11 = x1.fma(w, s11);
            s21 = x2.fma(w, s21);
            s31 = x3.fma(w, s31);
        }
        if (bound < n) {
            // The masked tail goes through a small helper: inlining masked loads here would make the method
            // too big for C1 (it gives up, and then tiered compilation never reaches C2 either).
            VectorMask<Float> m = S.indexInRange(bound, n);
            long o = (long) bound * Float.BYTES;
            s00 = fmaMasked(a, a0 + o, b, b0 + o, m, s00);
            s10 = fmaMasked(a, a0 + rowBytes + o, b, b0 + o, m, s10);
            s20 = fmaMasked(a, a0 + 2 * rowBytes + o, b, b0 + o, m, s20);
            s30 = fmaMasked(a, a0 + 3 * rowBytes + o, b, b0 + o, m, s30);
            s01 = fmaMasked(a, a0 + o, b, b0 + rowBytes + o, m, s01);
            s11 = fmaMasked(a, a0 + rowBytes + o, b, b0 + rowBytes + o, m, s11);
            s21 = fmaMasked(a, a0 + 2 * rowBytes + o, b, b0 + rowBytes + o, m, s21);
            s31 = fmaMasked(a, a0 + 3 * rowBytes + o, b, b0 + rowBytes + o, m, s31);
        }
        long d0 = (long) i * k + p;
        storeRow(d, d0, s00, s01);
        storeRow(d, d0 + k, s10, s11);
        storeRow(d, d0 + 2L * k, s20, s21);
        storeRow(d, d0 + 3L * k, s30, s31);
    }

    private static void storeRow(MemorySegment d, long index, FloatVector s0, FloatVector s1) {
        d.setAtIndex(JAVA_FLOAT, index, VectorMath.sumLanes(s0));
        d.setAtIndex(JAVA_FLOAT, index + 1, VectorMath.sumLanes(s1));
    }

    /** acc + a[m]·b[m] lane-wise, lanes outside m contributing zero: the same fma as the unmasked steps. */
    private static FloatVector fmaMasked(MemorySegment a, long aOffset, MemorySegment b, long bOffset,
            VectorMask<Float> m, FloatVector acc) {
        return FloatVector.fromMemorySegment(S, a, aOffset, ORDER, m)
                .fma(FloatVector.fromMemorySegment(S, b, bOffset, ORDER, m), acc);
    }

    /** The single-element form of the tile: the same fma chain and the same lane sum. */
    private static float dot(MemorySegment a, MemorySegment b, int n, int bound, VectorMask<Float> tail, int i, int p) {
        long a0 = (long) i * n * Float.BYTES;
        long b0 = (long) p * n * Float.BYTES;
        FloatVector s = FloatVector.zero(S);
        for (int j = 0; j < bound; j += L) {
            long o = (long) j * Float.BYTES;
            s = FloatVector.fromMemorySegment(S, a, a0 + o, ORDER).fma(FloatVector.fromMemorySegment(S, b, b0 + o, ORDER), s);
        }
        if (bound < n) {
            long o = (long) bound * Float.BYTES;
            s = FloatVector.fromMemorySegment(S, a, a0 + o, ORDER, tail)
                    .fma(FloatVector.fromMemorySegment(S, b, b0 + o, ORDER, tail), s);
        }
        return VectorMath.sumLanes(s);
    }
}
