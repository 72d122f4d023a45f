package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * C = A·B (+ bias, then an elementwise activation) for large products, blocked for the caches: the same
 * result, bit for bit, as {@link PackedGemm#multiply}, from the same packed B.
 *
 * <p>Why a second path: {@link PackedGemm} runs each column panel over all rows and the whole inner
 * dimension, so every panel re-streams all of A from L3 (4 MiB at 1024³), a 1024-deep packed panel
 * (128 KiB) does not fit L1, and A's rows, 4 KiB apart, fall into one L1 set. Here the product is cut
 * the way GotoBLAS/BLIS cut it:
 * <ul>
 *   <li>rows into blocks of {@link #MC} (the A block, MC×KC floats, stays in L2);
 *   <li>the inner dimension into blocks of {@link #KC}, so one KC-deep slice of a packed B panel
 *       (KC × 32 floats) stays in L1 while every row tile of the A block passes over it;
 *   <li>each A block is copied per k-block into MR-row micro-panels (six rows of kc floats, contiguous),
 *       so the tile reads A from one small block in L1/L2 instead of six rows 4 KiB apart, which fall
 *       into one L1 set.
 * </ul>
 * The 6 × 2-vector register tile of PackedGemm does the work. For the first k-block it starts from zero;
 * for each later one it loads the partial sums back from C and stores them again. Storing a float and
 * loading it back does not round it, so each element is still one fma chain over q = 0..inner−1 in
 * order, then + bias: identical to PackedGemm's. Bias and activation are applied to a tile after its
 * last k-block, while the tile is still in L1, in the same order and over the same ranges as
 * PackedGemm does it.
 *
 * <p>Edge tiles (fewer than six rows left, a panel narrower than two vectors, or one-vector panels for
 * n ≤ one vector) accumulate in a small tile area of the caller's scratch array, copied in from C and
 * back out, so no vector method carries masks (C2 boxes vectors that cross calls or carry masks). The
 * padded rows of a micro-panel are zero and their sums are never stored.
 *
 * <p>Threads: a caller splits the rows (in multiples of {@link #MR}) between threads, each with its
 * own scratch array of {@link #scratchFloats()} floats, after B has been packed in full (by any threads).
 *
 * <pre>{@code
 * float[] packed = new float[PackedGemm.packedFloats(k, n)];
 * for (int p = 0; p < PackedGemm.panels(n); p++) {
 *     PackedGemm.packRows(w, k, n, p, packed);
 * }
 * float[] scratch = new float[BlockedGemm.scratchFloats()];
 * BlockedGemm.multiply(x, k, 1, 0, rows, k, n, packed, bias, null, y, Activation.RELU, scratch);
 * }</pre>
 */
public final class BlockedGemm {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    private static final int NR = 2 * L;
    /** Rows of the register tile, as in PackedGemm. */
    public static final int MR = 6;
    /**
     * Depth of a k-block: a KC × 32 slice of a packed panel is 32 KiB with AVX-512. 128 to 768 measured
     * the same (GemmPathAB); a deeper block means fewer round trips of the partial sums through C. The
     * system property {@code kiln.gemm.kc} overrides it, for tuning on other machines.
     */
    public static final int KC = Math.max(1, Integer.getInteger("kiln.gemm.kc", 256));
    /**
     * Rows of an A block: MC × KC floats (480 KiB) sit in a 1 MiB L2. 48 to 480 measured the same; the
     * system property {@code kiln.gemm.mc} overrides it (rounded down to a multiple of MR).
     */
    public static final int MC = Math.max(MR, Integer.getInteger("kiln.gemm.mc", 480) / MR * MR);
    private static final int TILE_FLOATS = MR * NR;

    private BlockedGemm() {
    }

    /** Floats of the per-thread scratch array: one packed A block and one edge tile. */
    public static int scratchFloats() {
        return MC * KC + TILE_FLOATS;
    }

    /**
     * For rows r in [rowFrom, rowTo) and all n columns: z = Σ_q A(r,q)·B[q,j] + bias[j] (bias may be
     * null), written to {@code pre} when non-null, and c = act(z). A(r,q) = a[r·rowStride + q·innerStride].
     * Every panel of B [inner × n] must have been packed into {@code packed} by {@link PackedGemm#packRows}
     * (or packTransposed) before the call; {@code scratch} holds at least {@link #scratchFloats()} floats
     * and belongs to this call alone.
     */
    public static void multiply(MemorySegment a, long rowStride, long innerStride, int rowFrom, int rowTo, int inner,
            int n, float[] packed, MemorySegment bias, MemorySegment pre, MemorySegment c, Activation act,
            float[] scratch) {
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("activation " + act
                    + " cannot be fused into the GEMM epilogue; expected an elementwise one (all but SOFTMAX)");
        }
        if (scratch.length < scratchFloats()) {
            throw new IllegalArgumentException("scratch has " + scratch.length + " floats, expected at least "
                    + scratchFloats());
        }
        MemorySegment z = pre != null ? pre : c;
        boolean reluHere = act == Activation.RELU && pre == null;
        int width = PackedGemm.width(n);
        int panelStride = PackedGemm.panelBase(inner, n, 1);
        for (int mb = rowFrom; mb < rowTo; mb += MC) {
            int mc = Math.min(MC, rowTo - mb);
            // Equal k-blocks of at most KC (784 = 4 × 196, not 3 × 256 + 16): a thin last block would pay the
            // load and store of every C tile for a few multiply-adds.
            int blocks = kBlocks(inner);
            for (int block = 0, kb = 0; block < blocks; kb += kcOf(inner, blocks, block), block++) {
                int kc = kcOf(inner, blocks, block);
                packA(a, rowStride, innerStride, mb, mc, kb, kc, scratch);
                multiplyBlock(scratch, mc, kc, packed, kb * width, panelStride, n, kb == 0, kb + kc == inner, z, mb, c,
                        bias, act, reluHere);
            }
        }
    }

    /**
     * Multiplies one packed A block, already in {@code scratch} as {@link #packA} lays it out (mc rows of kc
     * floats in MR-row micro-panels, the rows past mc zero), by the matching kc rows of every panel of a
     * packed B, and adds the products into rows zRow..zRow+mc of z [· × n]. The block's rows of panel p of B
     * start at {@code packed[blockOffset + p·panelStride]}, {@code width(n)} floats a row. {@code first}: the
     * sums start from zero (else from z); {@code last}: bias and activation are applied to each tile as it
     * completes, z → c. Shared with the convolution kernels, which pack their A blocks straight from an
     * image instead of from a matrix.
     */
    static void multiplyBlock(float[] scratch, int mc, int kc, float[] packed, int blockOffset, int panelStride,
            int n, boolean first, boolean last, MemorySegment z, int zRow, MemorySegment c, MemorySegment bias,
            Activation act, boolean reluHere) {
        int panels = PackedGemm.panels(n);
        int width = PackedGemm.width(n);
        long zRowBytes = (long) n * Float.BYTES;
        for (int p = 0; p < panels; p++) {
            int j0 = p * width;
            int cols = Math.min(width, n - j0);
            int bOff = blockOffset + p * panelStride;
            for (int r = zRow, ap = 0; r < zRow + mc; r += MR, ap += MR * kc) {
                int tileRows = Math.min(MR, zRow + mc - r);
                if (tileRows == MR && cols == NR) {
                    long zo = ((long) r * n + j0) * Float.BYTES;
                    if (first) {
                        tile6x2First(scratch, ap, packed, bOff, kc, z, zo, zRowBytes);
                    } else {
                        tile6x2Next(scratch, ap, packed, bOff, kc, z, zo, zRowBytes);
                    }
                } else {
                    edgeTile(scratch, ap, packed, bOff, kc, width, z, n, r, tileRows, j0, cols, first);
                }
                if (last) {
                    finish(z, c, bias, act, reluHere, n, r, tileRows, j0, cols);
                }
            }
        }
    }

    /** The number of k-blocks over {@code inner}: as few as keep each at most {@link #KC} deep. */
    static int kBlocks(int inner) {
        return (inner + KC - 1) / KC;
    }

    /** The depth of k-block {@code block} of {@code blocks} equal ones over {@code inner}. */
    static int kcOf(int inner, int blocks, int block) {
        return (int) ((long) inner * (block + 1) / blocks - (long) inner * block / blocks);
    }

    /**
     * scratch[t·MR·kc + i·kc + q] = A(r0 + t·MR + i, kb + q): the block's rows as MR-row micro-panels, each
     * row's kc floats contiguous and the rows past mc zero. Row-major micro-panels (rather than [q][row]
     * interleaved) make the copy of a row-major A one bulk copy per row, which matters for narrow
     * products where each element of A is used by only a few panels; the tile then reads six short
     * streams kc floats apart in one small block, which no longer share an L1 set as A's own rows did.
     */
    static void packA(MemorySegment a, long rowStride, long innerStride, int r0, int mc, int kb, int kc,
            float[] scratch) {
        int padded = (mc + MR - 1) / MR * MR;
        for (int r = 0; r < padded; r++) {
            int p = r * kc;
            if (r >= mc) {
                java.util.Arrays.fill(scratch, p, p + kc, 0f);
            } else if (innerStride == 1) {
                MemorySegment.copy(a, JAVA_FLOAT, ((r0 + r) * rowStride + kb) * Float.BYTES, scratch, p, kc);
            } else {
                long o = ((r0 + r) * rowStride + kb * innerStride) * Float.BYTES;
                long innerBytes = innerStride * Float.BYTES;
                for (int q = 0; q < kc; q++, o += innerBytes) {
                    scratch[p + q] = a.get(JAVA_FLOAT, o);
                }
            }
        }
    }

    /** An edge tile through the scratch tile area: its valid sums copied in (or zeros), multiplied, copied out. */
    private static void edgeTile(float[] scratch, int ap, float[] packed, int bOff, int kc, int width,
            MemorySegment z, int n, int r, int tileRows, int j0, int cols, boolean first) {
        int t = MC * KC;
        for (int i = 0; i < MR; i++) {
            for (int jj = 0; jj < width; jj++) {
                scratch[t + i * width + jj] = !first && i < tileRows && jj < cols
                        ? z.getAtIndex(JAVA_FLOAT, (long) (r + i) * n + j0 + jj) : 0f;
            }
        }
        if (width == NR) {
            tile6x2Array(scratch, ap, packed, bOff, kc, t);
        } else {
            tile6x1Array(scratch, ap, packed, bOff, kc, t);
        }
        for (int i = 0; i < tileRows; i++) {
            for (int jj = 0; jj < cols; jj++) {
                z.setAtIndex(JAVA_FLOAT, (long) (r + i) * n + j0 + jj, scratch[t + i * width + jj]);
            }
        }
    }

    /** z += bias (and max(·, 0) when ReLU runs here) over a finished tile, then c = act(z) as PackedGemm does. */
    private static void finish(MemorySegment z, MemorySegment c, MemorySegment bias, Activation act, boolean reluHere,
            int n, int r, int tileRows, int j0, int cols) {
        if (bias != null || reluHere) {
            int vectors = cols / L;
            long biasOffset = (long) j0 * Float.BYTES;
            for (int i = 0; i < tileRows; i++) {
                long o = ((long) (r + i) * n + j0) * Float.BYTES;
                for (int v = 0; v < vectors; v++) {
                    long vo = (long) v * L * Float.BYTES;
                    FloatVector s = FloatVector.fromMemorySegment(S, z, o + vo, ORDER);
                    if (bias != null) {
                        s = s.add(FloatVector.fromMemorySegment(S, bias, biasOffset + vo, ORDER));
                    }
                    if (reluHere) {
                        s = s.max(0f);
                    }
                    s.intoMemorySegment(z, o + vo, ORDER);
                }
                for (int jj = vectors * L; jj < cols; jj++) {
                    long eo = o + (long) jj * Float.BYTES;
                    float s = z.get(JAVA_FLOAT, eo);
                    if (bias != null) {
                        s += bias.get(JAVA_FLOAT, biasOffset + (long) jj * Float.BYTES);
                    }
                    if (reluHere) {
                        s = Math.max(s, 0f);
                    }
                    z.set(JAVA_FLOAT, eo, s);
                }
            }
        }
        PackedGemm.activate(act, reluHere, z, c, n, j0, cols, r, r + tileRows);
    }

    /** A full tile's first k-block: sums from zero, stored to z. */
    private static void tile6x2First(float[] ap, int aq, float[] bp, int bq, int kc, MemorySegment z, long zo,
            long zRowBytes) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        int kc2 = 2 * kc, kc3 = 3 * kc, kc4 = 4 * kc, kc5 = 5 * kc;
        for (int q = 0; q < kc; q++, aq++, bq += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bq);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + L);
            FloatVector x = FloatVector.broadcast(S, ap[aq]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[aq + kc]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[aq + kc2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[aq + kc3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[aq + kc4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[aq + kc5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        long second = (long) L * Float.BYTES;
        c00.intoMemorySegment(z, zo, ORDER);
        c01.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c10.intoMemorySegment(z, zo, ORDER);
        c11.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c20.intoMemorySegment(z, zo, ORDER);
        c21.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c30.intoMemorySegment(z, zo, ORDER);
        c31.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c40.intoMemorySegment(z, zo, ORDER);
        c41.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c50.intoMemorySegment(z, zo, ORDER);
        c51.intoMemorySegment(z, zo + second, ORDER);
    }

    /**
     * A full tile's later k-blocks: the partial sums loaded from z, continued, stored back. Written out
     * apart from {@link #tile6x2First} on purpose: choosing the start inside one method would merge twelve
     * vectors across a branch, which is where C2 starts boxing them.
     */
    private static void tile6x2Next(float[] ap, int aq, float[] bp, int bq, int kc, MemorySegment z, long zo,
            long zRowBytes) {
        long second = (long) L * Float.BYTES;
        FloatVector c00 = FloatVector.fromMemorySegment(S, z, zo, ORDER);
        FloatVector c01 = FloatVector.fromMemorySegment(S, z, zo + second, ORDER);
        FloatVector c10 = FloatVector.fromMemorySegment(S, z, zo + zRowBytes, ORDER);
        FloatVector c11 = FloatVector.fromMemorySegment(S, z, zo + zRowBytes + second, ORDER);
        FloatVector c20 = FloatVector.fromMemorySegment(S, z, zo + 2 * zRowBytes, ORDER);
        FloatVector c21 = FloatVector.fromMemorySegment(S, z, zo + 2 * zRowBytes + second, ORDER);
        FloatVector c30 = FloatVector.fromMemorySegment(S, z, zo + 3 * zRowBytes, ORDER);
        FloatVector c31 = FloatVector.fromMemorySegment(S, z, zo + 3 * zRowBytes + second, ORDER);
        FloatVector c40 = FloatVector.fromMemorySegment(S, z, zo + 4 * zRowBytes, ORDER);
        FloatVector c41 = FloatVector.fromMemorySegment(S, z, zo + 4 * zRowBytes + second, ORDER);
        FloatVector c50 = FloatVector.fromMemorySegment(S, z, zo + 5 * zRowBytes, ORDER);
        FloatVector c51 = FloatVector.fromMemorySegment(S, z, zo + 5 * zRowBytes + second, ORDER);
        int kc2 = 2 * kc, kc3 = 3 * kc, kc4 = 4 * kc, kc5 = 5 * kc;
        for (int q = 0; q < kc; q++, aq++, bq += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bq);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + L);
            FloatVector x = FloatVector.broadcast(S, ap[aq]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[aq + kc]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[aq + kc2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[aq + kc3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[aq + kc4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[aq + kc5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoMemorySegment(z, zo, ORDER);
        c01.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c10.intoMemorySegment(z, zo, ORDER);
        c11.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c20.intoMemorySegment(z, zo, ORDER);
        c21.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c30.intoMemorySegment(z, zo, ORDER);
        c31.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c40.intoMemorySegment(z, zo, ORDER);
        c41.intoMemorySegment(z, zo + second, ORDER);
        zo += zRowBytes;
        c50.intoMemorySegment(z, zo, ORDER);
        c51.intoMemorySegment(z, zo + second, ORDER);
    }

    /** An edge tile of a two-vector panel: sums loaded from and stored to the scratch tile at t (rows NR apart). */
    private static void tile6x2Array(float[] ap, int aq, float[] bp, int bq, int kc, int t) {
        float[] s = ap;
        FloatVector c00 = FloatVector.fromArray(S, s, t), c01 = FloatVector.fromArray(S, s, t + L);
        FloatVector c10 = FloatVector.fromArray(S, s, t + NR), c11 = FloatVector.fromArray(S, s, t + NR + L);
        FloatVector c20 = FloatVector.fromArray(S, s, t + 2 * NR), c21 = FloatVector.fromArray(S, s, t + 2 * NR + L);
        FloatVector c30 = FloatVector.fromArray(S, s, t + 3 * NR), c31 = FloatVector.fromArray(S, s, t + 3 * NR + L);
        FloatVector c40 = FloatVector.fromArray(S, s, t + 4 * NR), c41 = FloatVector.fromArray(S, s, t + 4 * NR + L);
        FloatVector c50 = FloatVector.fromArray(S, s, t + 5 * NR), c51 = FloatVector.fromArray(S, s, t + 5 * NR + L);
        int kc2 = 2 * kc, kc3 = 3 * kc, kc4 = 4 * kc, kc5 = 5 * kc;
        for (int q = 0; q < kc; q++, aq++, bq += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bq);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + L);
            FloatVector x = FloatVector.broadcast(S, ap[aq]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, ap[aq + kc]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, ap[aq + kc2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, ap[aq + kc3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, ap[aq + kc4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, ap[aq + kc5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(s, t);
        c01.intoArray(s, t + L);
        c10.intoArray(s, t + NR);
        c11.intoArray(s, t + NR + L);
        c20.intoArray(s, t + 2 * NR);
        c21.intoArray(s, t + 2 * NR + L);
        c30.intoArray(s, t + 3 * NR);
        c31.intoArray(s, t + 3 * NR + L);
        c40.intoArray(s, t + 4 * NR);
        c41.intoArray(s, t + 4 * NR + L);
        c50.intoArray(s, t + 5 * NR);
        c51.intoArray(s, t + 5 * NR + L);
    }

    /** One-vector panels (n ≤ one vector): six rows, sums loaded from and stored to the scratch tile at t. */
    private static void tile6x1Array(float[] ap, int aq, float[] bp, int bq, int kc, int t) {
        float[] s = ap;
        FloatVector c0 = FloatVector.fromArray(S, s, t), c1 = FloatVector.fromArray(S, s, t + L);
        FloatVector c2 = FloatVector.fromArray(S, s, t + 2 * L), c3 = FloatVector.fromArray(S, s, t + 3 * L);
        FloatVector c4 = FloatVector.fromArray(S, s, t + 4 * L), c5 = FloatVector.fromArray(S, s, t + 5 * L);
        int kc2 = 2 * kc, kc3 = 3 * kc, kc4 = 4 * kc, kc5 = 5 * kc;
        for (int q = 0; q < kc; q++, aq++, bq += L) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bq);
            c0 = FloatVector.broadcast(S, ap[aq]).fma(b0, c0);
            c1 = FloatVector.broadcast(S, ap[aq + kc]).fma(b0, c1);
            c2 = FloatVector.broadcast(S, ap[aq + kc2]).fma(b0, c2);
            c3 = FloatVector.broadcast(S, ap[aq + kc3]).fma(b0, c3);
            c4 = FloatVector.broadcast(S, ap[aq + kc4]).fma(b0, c4);
            c5 = FloatVector.broadcast(S, ap[aq + kc5]).fma(b0, c5);
        }
        c0.intoArray(s, t);
        c1.intoArray(s, t + L);
        c2.intoArray(s, t + 2 * L);
        c3.intoArray(s, t + 3 * L);
        c4.intoArray(s, t + 4 * L);
        c5.intoArray(s, t + 5 * L);
    }
}
