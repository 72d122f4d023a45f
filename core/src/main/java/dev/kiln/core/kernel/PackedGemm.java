package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * C = A·B (+ bias, then an elementwise activation) one column panel at a time, from a packed copy of B.
 *
 * <p>The columns of C are cut into panels {@link #PANEL_WIDTH} wide (two vectors). Before a panel is
 * multiplied its slice of B is packed into a float[] as {@code inner} contiguous rows of PANEL_WIDTH floats,
 * zero-padded past n: the inner loop then reads B as one forward stream from L1/L2 instead of one
 * cache line per row of a wide matrix (whose rows, a power of two apart, also collide in the same L1
 * sets). Three packers cover the three products of training: {@link #packRows} for B stored row-major
 * (X·W, Xᵀ·dZ), {@link #packRowsWithColumnSums} which also sums the columns (the bias gradient, free
 * while the data streams by), and {@link #packTransposed} for B = Wᵀ (dZ·Wᵀ) read straight from W, so
 * no transposed copy of W is ever made.
 *
 * <p>A is read in place through strides, A(r,q) = a[r·rowStride + q·innerStride], so X (strides k, 1)
 * and Xᵀ (strides 1, k) need no copy either.
 *
 * <p>The register tile is 6 rows × 2 vectors: twelve accumulators, the most C2 (JDK 25) keeps in
 * registers without boxing them, and two vectors divide the common widths (128 = 4 panels) evenly
 * between threads. A product no wider than one vector (a 10-class output layer) uses one-vector
 * panels and a 6 × 1 tile instead of computing two vectors of mostly padding. Each element of C is one fma chain over q = 0..inner−1 from zero, then the bias add,
 * whichever panel split or thread computes it, so the results are bit-identical for any thread count.
 * A full tile of a full panel adds the bias and applies ReLU in registers and stores straight into C;
 * other activations then run over the tile's rows while they are still in L1. The tiles of a partial
 * panel (and the last rows) store their accumulators into a small area of the packed buffer reserved
 * for the panel, and a separate epilogue copies the valid columns out, so no vector method carries
 * masks (which C2 would box).
 *
 * <pre>{@code
 * float[] packed = new float[PackedGemm.packedFloats(784, 128)];
 * for (int p = 0; p < PackedGemm.panels(128); p++) {   // any subset of panels, on any thread
 *     PackedGemm.packRows(w, 784, 128, p, packed);
 *     PackedGemm.multiply(x, 784, 1, rows, 784, 128, packed, p, bias, null, y, Activation.RELU);
 * }
 * }</pre>
 */
public final class PackedGemm {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    /** Columns of C per panel: two vectors of the preferred species (one where n fits in one vector). */
    public static final int PANEL_WIDTH = 2 * L;
    private static final int NR = PANEL_WIDTH;
    private static final int MR = 6;
    private static final int TILE_FLOATS = MR * NR;

    private PackedGemm() {
    }

    /** The number of column panels of a product with n columns. */
    public static int panels(int n) {
        return (n + width(n) - 1) / width(n);
    }

    /**
     * Columns per panel: two vectors, or one where n fits in one vector (a 10-class output layer would
     * otherwise compute 32 columns for 10).
     */
    static int width(int n) {
        return n <= L ? L : NR;
    }

    /** The size of a packed buffer for B [inner × n]: every panel plus its tile area. */
    public static int packedFloats(int inner, int n) {
        long floats = (long) panels(n) * panelFloats(inner, n);
        if (inner < 0 || n < 0 || floats > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a packed " + inner + " × " + n
                    + " operand must have non-negative sizes and fit a Java array, needs " + floats + " floats");
        }
        return (int) floats;
    }

    private static int panelFloats(int inner, int n) {
        return inner * width(n) + TILE_FLOATS;
    }

    static int panelBase(int inner, int n, int panel) {
        return panel * panelFloats(inner, n);
    }

    /** Packs panel {@code panel} of b, row-major [inner × n], into {@code packed}. */
    public static void packRows(MemorySegment b, int inner, int n, int panel, float[] packed) {
        packRowsWithColumnSums(b, inner, n, panel, packed, null);
    }

    /**
     * Packs panel {@code panel} of b, row-major [inner × n], and when {@code sums} is non-null writes the
     * panel's column sums Σ_q b[q, j] there (at index j, summed from q = 0 upwards, as
     * {@link BiasKernels#columnSums} sums them).
     */
    public static void packRowsWithColumnSums(MemorySegment b, int inner, int n, int panel, float[] packed,
            MemorySegment sums) {
        int width = width(n);
        int j0 = panel * width;
        int base = panelBase(inner, n, panel);
        long rowBytes = (long) n * Float.BYTES;
        if (width == NR && j0 + NR <= n) {
            packFullPanel(b, inner, rowBytes, (long) j0 * Float.BYTES, packed, base, sums);
        } else {
            packPartialPanel(b, inner, n, j0, width, packed, base, sums);
        }
    }

    private static void packFullPanel(MemorySegment b, int inner, long rowBytes, long offset, float[] packed, int base,
            MemorySegment sums) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        long o = offset;
        int p = base;
        for (int q = 0; q < inner; q++, o += rowBytes, p += NR) {
            FloatVector v0 = FloatVector.fromMemorySegment(S, b, o, ORDER);
            FloatVector v1 = FloatVector.fromMemorySegment(S, b, o + (long) L * Float.BYTES, ORDER);
            v0.intoArray(packed, p);
            v1.intoArray(packed, p + L);
            s0 = s0.add(v0);
            s1 = s1.add(v1);
        }
        if (sums != null) {
            s0.intoMemorySegment(sums, offset, ORDER);
            s1.intoMemorySegment(sums, offset + (long) L * Float.BYTES, ORDER);
        }
    }

    /**
     * The last, narrower panel (or the one panel of a narrow product) element by element; the scalar
     * sums add in the same order as a vector lane, so the bits do not depend on the path.
     */
    private static void packPartialPanel(MemorySegment b, int inner, int n, int j0, int width, float[] packed,
            int base, MemorySegment sums) {
        int cols = n - j0;
        for (int q = 0; q < inner; q++) {
            long o = ((long) q * n + j0) * Float.BYTES;
            int p = base + q * width;
            for (int jj = 0; jj < cols; jj++) {
                packed[p + jj] = b.get(JAVA_FLOAT, o + (long) jj * Float.BYTES);
            }
            for (int jj = cols; jj < width; jj++) {
                packed[p + jj] = 0f;
            }
        }
        if (sums != null) {
            for (int jj = 0; jj < cols; jj++) {
                float s = 0f;
                for (int q = 0; q < inner; q++) {
                    s += packed[base + q * width + jj];
                }
                sums.set(JAVA_FLOAT, (long) (j0 + jj) * Float.BYTES, s);
            }
        }
    }

    /**
     * Packs panel {@code panel} of B = Wᵀ [inner × n] where w is row-major [n × inner]: row jj of the
     * panel's slice of W is read contiguously and spread across the packed rows. This is the one copy
     * dZ·Wᵀ needs, made per panel by the thread that multiplies it, in place of a whole transposed W.
     */
    public static void packTransposed(MemorySegment w, int inner, int n, int panel, float[] packed) {
        int width = width(n);
        int j0 = panel * width;
        int base = panelBase(inner, n, panel);
        int cols = Math.min(width, n - j0);
        for (int jj = 0; jj < cols; jj++) {
            spreadRow(w, ((long) (j0 + jj) * inner) * Float.BYTES, inner, packed, base + jj, width);
        }
        for (int jj = cols; jj < width; jj++) {
            for (int q = 0, p = base + jj; q < inner; q++, p += width) {
                packed[p] = 0f;
            }
        }
    }

    /**
     * packed[p + q·width] = w[row + q] for q in [0, inner): one row of W becomes one column of the panel.
     * Plain scalar moves, about 0.4 ns a float (37 µs for a 784×128 W): faster than a vector load
     * taken apart with lane(i), which C2 does not turn into register extracts inside a loop.
     */
    private static void spreadRow(MemorySegment w, long rowOffset, int inner, float[] packed, int p, int width) {
        int q = 0;
        long o = rowOffset;
        for (; q < inner; q++, o += Float.BYTES, p += width) {
            packed[p] = w.get(JAVA_FLOAT, o);
        }
    }

    /**
     * For rows r in [0, rows) and the columns of panel {@code panel}: z = Σ_q A(r,q)·B[q,j] + bias[j]
     * (bias may be null), written to {@code pre} when non-null, and c = act(z). The panel must have been
     * packed into {@code packed} (by any thread, before this call). act must be elementwise.
     */
    public static void multiply(MemorySegment a, long rowStride, long innerStride, int rows, int inner, int n,
            float[] packed, int panel, MemorySegment bias, MemorySegment pre, MemorySegment c, Activation act) {
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("activation " + act
                    + " cannot be fused into the GEMM epilogue; expected an elementwise one (all but SOFTMAX)");
        }
        int width = width(n);
        int j0 = panel * width;
        int cols = Math.min(width, n - j0);
        int base = panelBase(inner, n, panel);
        int tile = base + inner * width;
        long rowBytes = rowStride * Float.BYTES;
        long innerBytes = innerStride * Float.BYTES;
        boolean reluInRegisters = act == Activation.RELU && pre == null;
        MemorySegment z = pre != null ? pre : c;
        int r = 0;
        if (cols == NR) {
            // A whole two-vector panel: the tile adds the bias (and ReLU) in registers and stores straight to z.
            long zRowBytes = (long) n * Float.BYTES;
            long biasOffset = (long) j0 * Float.BYTES;
            for (; r + MR <= rows; r += MR) {
                tile6x2ToOutput(a, r * rowBytes, rowBytes, innerBytes, inner, packed, base, bias, biasOffset,
                        reluInRegisters, z, ((long) r * n + j0) * Float.BYTES, zRowBytes);
                activate(act, reluInRegisters, z, c, n, j0, cols, r, r + MR);
            }
        }
        for (; r + MR <= rows; r += MR) {
            if (width == NR) {
                tile6x2(a, r * rowBytes, rowBytes, innerBytes, inner, packed, base, tile);
            } else {
                tile6x1(a, r * rowBytes, rowBytes, innerBytes, inner, packed, base, tile);
            }
            epilogue(packed, tile, width, MR, cols, bias, j0, reluInRegisters, z, n, r);
            activate(act, reluInRegisters, z, c, n, j0, cols, r, r + MR);
        }
        // The last rows of a two-vector panel in pairs: each pass over the rows streams the whole packed
        // panel, so two rows per pass halve that traffic (a batch of 32 or 128 ends in 2 such rows).
        for (; width == NR && r + 2 <= rows; r += 2) {
            tile2x2(a, r * rowBytes, rowBytes, innerBytes, inner, packed, base, tile);
            epilogue(packed, tile, width, 2, cols, bias, j0, reluInRegisters, z, n, r);
            activate(act, reluInRegisters, z, c, n, j0, cols, r, r + 2);
        }
        for (; r < rows; r++) {
            if (width == NR) {
                tile1x2(a, r * rowBytes, innerBytes, inner, packed, base, tile);
            } else {
                tile1x1(a, r * rowBytes, innerBytes, inner, packed, base, tile);
            }
            epilogue(packed, tile, width, 1, cols, bias, j0, reluInRegisters, z, n, r);
            activate(act, reluInRegisters, z, c, n, j0, cols, r, r + 1);
        }
    }

    private static void tile6x2(MemorySegment a, long aRow, long rowBytes, long innerBytes, int inner, float[] bp,
            int bBase, int out) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        long aq = aRow;
        int bq = bBase;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bq);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + L);
            FloatVector x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + rowBytes));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 2 * rowBytes));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 3 * rowBytes));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 4 * rowBytes));
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 5 * rowBytes));
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(bp, out);
        c01.intoArray(bp, out + L);
        c10.intoArray(bp, out + NR);
        c11.intoArray(bp, out + NR + L);
        c20.intoArray(bp, out + 2 * NR);
        c21.intoArray(bp, out + 2 * NR + L);
        c30.intoArray(bp, out + 3 * NR);
        c31.intoArray(bp, out + 3 * NR + L);
        c40.intoArray(bp, out + 4 * NR);
        c41.intoArray(bp, out + 4 * NR + L);
        c50.intoArray(bp, out + 5 * NR);
        c51.intoArray(bp, out + 5 * NR + L);
    }

    /**
     * {@link #tile6x2} with the epilogue in registers: + bias (when non-null), max(·, 0) when relu, stored to z.
     * The accumulation loop is written out again rather than shared on purpose: a helper would have to
     * hand back twelve vectors, and C2 boxes vectors that cross a call it does not inline.
     */
    private static void tile6x2ToOutput(MemorySegment a, long aRow, long rowBytes, long innerBytes, int inner,
            float[] bp, int bBase, MemorySegment bias, long biasOffset, boolean relu, MemorySegment z, long zo,
            long zRowBytes) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        long aq = aRow;
        int bq = bBase;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bq);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + L);
            FloatVector x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + rowBytes));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 2 * rowBytes));
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 3 * rowBytes));
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 4 * rowBytes));
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 5 * rowBytes));
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        if (bias != null) {
            FloatVector bias0 = FloatVector.fromMemorySegment(S, bias, biasOffset, ORDER);
            FloatVector bias1 = FloatVector.fromMemorySegment(S, bias, biasOffset + (long) L * Float.BYTES, ORDER);
            c00 = c00.add(bias0);
            c01 = c01.add(bias1);
            c10 = c10.add(bias0);
            c11 = c11.add(bias1);
            c20 = c20.add(bias0);
            c21 = c21.add(bias1);
            c30 = c30.add(bias0);
            c31 = c31.add(bias1);
            c40 = c40.add(bias0);
            c41 = c41.add(bias1);
            c50 = c50.add(bias0);
            c51 = c51.add(bias1);
        }
        if (relu) {
            c00 = c00.max(0f);
            c01 = c01.max(0f);
            c10 = c10.max(0f);
            c11 = c11.max(0f);
            c20 = c20.max(0f);
            c21 = c21.max(0f);
            c30 = c30.max(0f);
            c31 = c31.max(0f);
            c40 = c40.max(0f);
            c41 = c41.max(0f);
            c50 = c50.max(0f);
            c51 = c51.max(0f);
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

    private static void tile2x2(MemorySegment a, long aRow, long rowBytes, long innerBytes, int inner, float[] bp,
            int bBase, int out) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        long aq = aRow;
        int bq = bBase;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bq);
            FloatVector b1 = FloatVector.fromArray(S, bp, bq + L);
            FloatVector x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq));
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + rowBytes));
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
        }
        c00.intoArray(bp, out);
        c01.intoArray(bp, out + L);
        c10.intoArray(bp, out + NR);
        c11.intoArray(bp, out + NR + L);
    }

    private static void tile1x2(MemorySegment a, long aRow, long innerBytes, int inner, float[] bp, int bBase, int out) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
        long aq = aRow;
        int bq = bBase;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += NR) {
            FloatVector x = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq));
            c0 = x.fma(FloatVector.fromArray(S, bp, bq), c0);
            c1 = x.fma(FloatVector.fromArray(S, bp, bq + L), c1);
        }
        c0.intoArray(bp, out);
        c1.intoArray(bp, out + L);
    }

    /** One-vector panels: six rows, one packed column vector. */
    private static void tile6x1(MemorySegment a, long aRow, long rowBytes, long innerBytes, int inner, float[] bp,
            int bBase, int out) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S);
        FloatVector c3 = FloatVector.zero(S), c4 = FloatVector.zero(S), c5 = FloatVector.zero(S);
        long aq = aRow;
        int bq = bBase;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += L) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bq);
            c0 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq)).fma(b0, c0);
            c1 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + rowBytes)).fma(b0, c1);
            c2 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 2 * rowBytes)).fma(b0, c2);
            c3 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 3 * rowBytes)).fma(b0, c3);
            c4 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 4 * rowBytes)).fma(b0, c4);
            c5 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq + 5 * rowBytes)).fma(b0, c5);
        }
        c0.intoArray(bp, out);
        c1.intoArray(bp, out + L);
        c2.intoArray(bp, out + 2 * L);
        c3.intoArray(bp, out + 3 * L);
        c4.intoArray(bp, out + 4 * L);
        c5.intoArray(bp, out + 5 * L);
    }

    private static void tile1x1(MemorySegment a, long aRow, long innerBytes, int inner, float[] bp, int bBase, int out) {
        FloatVector c0 = FloatVector.zero(S);
        long aq = aRow;
        int bq = bBase;
        for (int q = 0; q < inner; q++, aq += innerBytes, bq += L) {
            c0 = FloatVector.broadcast(S, a.get(JAVA_FLOAT, aq)).fma(FloatVector.fromArray(S, bp, bq), c0);
        }
        c0.intoArray(bp, out);
    }

    /**
     * z[r+i, j0..j0+cols) = tile[i, ·] + bias (and max(·, 0) when ReLU runs here) for i < tileRows; the
     * tile's rows are {@code stride} floats apart.
     */
    private static void epilogue(float[] tile, int t, int stride, int tileRows, int cols, MemorySegment bias, int j0,
            boolean relu, MemorySegment z, int n, int r) {
        int vectors = cols / L;
        long biasOffset = (long) j0 * Float.BYTES;
        for (int i = 0; i < tileRows; i++) {
            long o = ((long) (r + i) * n + j0) * Float.BYTES;
            int ti = t + i * stride;
            for (int v = 0; v < vectors; v++) {
                FloatVector s = FloatVector.fromArray(S, tile, ti + v * L);
                if (bias != null) {
                    s = s.add(FloatVector.fromMemorySegment(S, bias, biasOffset + (long) v * L * Float.BYTES, ORDER));
                }
                if (relu) {
                    s = s.max(0f);
                }
                s.intoMemorySegment(z, o + (long) v * L * Float.BYTES, ORDER);
            }
            for (int jj = vectors * L; jj < cols; jj++) {
                float s = tile[ti + jj];
                if (bias != null) {
                    s += bias.get(JAVA_FLOAT, biasOffset + (long) jj * Float.BYTES);
                }
                if (relu) {
                    s = Math.max(s, 0f);
                }
                z.set(JAVA_FLOAT, o + (long) jj * Float.BYTES, s);
            }
        }
    }

    /** The activations the epilogue did not apply in registers, row by row over the panel's columns. */
    static void activate(Activation act, boolean done, MemorySegment z, MemorySegment c, int n, int j0,
            int cols, int rowFrom, int rowTo) {
        if (done || (act == Activation.LINEAR && z == c)) {
            return;
        }
        for (int r = rowFrom; r < rowTo; r++) {
            long from = (long) r * n + j0;
            if (act == Activation.LINEAR) {
                MemorySegment.copy(z, from * Float.BYTES, c, from * Float.BYTES, (long) cols * Float.BYTES);
            } else {
                ActivationKernels.forward(act, z, c, from, from + cols);
            }
        }
    }
}
