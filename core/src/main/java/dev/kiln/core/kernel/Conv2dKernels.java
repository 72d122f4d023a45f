package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;

/**
 * The three products of a Conv2D layer (channels last, see {@link Conv2dShape}) as cache-blocked GEMMs on
 * {@link BlockedGemm}'s 6 × 2-vector register tile, with the patch matrix (im2col) packed one block at a
 * time straight from the images into the tile's micro-panels ({@link ConvPacking}); the whole patch matrix
 * never exists.
 *
 * <ul>
 *   <li>{@link #forward}: y = act(patches·W + b), W [K × F] packed once per step like a dense layer's W;
 *       bias and activation are applied to each tile after its last k-block, while it is in L1 (as the
 *       dense epilogue). Optionally stores the pre-activation z. <b>Split unit: output pixels</b> (rows
 *       n·OH·OW of the patch matrix), any range; multiples of {@link BlockedGemm#MR} keep tiles whole.
 *   <li>{@link #weightGradient}: dW = patchesᵀ·dZ [K × F], and db = Σ dZ over the pixels; computed as
 *       (dZᵀ·patches)ᵀ when F &lt; K, so that the operand transposed for the tile is the smaller (see
 *       {@link #transposesWeightGradient}). <b>Split unit: rows of dW</b> (kernel positions
 *       q = (kh·KW + kw)·Cin + ci), any range; multiples of {@link #weightGradientGrain} keep tiles whole.
 *       Every part reads the whole batch. db is written by the one part it is passed to.
 *   <li>{@link #inputGradient}: dX = col2im(dZ·Wᵀ), the transposed convolution: dZ·Wᵀ is computed for a
 *       block of output pixels at a time into a small column buffer and each row added back where its patch
 *       came from. <b>Split unit: images</b> (patches of one image overlap, so one image's dX belongs to one
 *       part).
 * </ul>
 *
 * <p>Every output element is summed in an order fixed by the shape alone: an element of y or dW is one fma
 * chain over its inner index in order (then + bias), whatever the block or range boundaries (a partial sum
 * stored to memory and reloaded between k-blocks is not rounded again); an element of dX is its pixels'
 * contributions added in pixel order, each one such chain. So 1, 2 or 3 parts give bit-identical results.
 *
 * <p>No call allocates: each part brings a scratch array of {@link #scratchFloats} floats, and for the
 * gradients an off-heap buffer of {@link #bufferFloats} floats (the tile stores to memory segments).
 *
 * <pre>{@code
 * Conv2dShape s = Conv2dShape.of(13, 13, 32, 3, 3, 64, 1, 1, Padding.VALID);
 * float[] packedW = new float[Conv2dKernels.packedWeightFloats(s)];
 * float[] scratch = new float[Conv2dKernels.scratchFloats(s)];
 * for (int p = 0; p < Conv2dKernels.weightPanels(s); p++) {        // any split, before the products
 *     Conv2dKernels.packWeights(w, s, p, packedW);
 * }
 * int pixels = batch * s.outPixels();
 * Conv2dKernels.forward(x, s, 0, pixels, packedW, b, null, y, Activation.RELU, scratch);
 * // backward, dz = dY ⊙ act'(z) (ActivationKernels.backward):
 * MemorySegment buffer = arena.allocate(Conv2dKernels.bufferFloats(s) * Float.BYTES, 64);
 * Conv2dKernels.weightGradient(x, dz, s, batch, 0, s.patch(), dw, db, scratch, buffer);
 * float[] packedWt = new float[Conv2dKernels.packedTransposedWeightFloats(s)];
 * for (int p = 0; p < Conv2dKernels.transposedWeightPanels(s); p++) {
 *     Conv2dKernels.packTransposedWeights(w, s, p, packedWt);
 * }
 * Conv2dKernels.inputGradient(dz, s, 0, batch, packedWt, dx, scratch, buffer);
 * }</pre>
 */
public final class Conv2dKernels {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    /**
     * The input gradient's column buffer holds about this many floats (128 KiB): a block of dZ·Wᵀ rows that
     * stays in L2 between the product writing it and col2im reading it back.
     */
    private static final int COLUMN_BLOCK_FLOATS = 1 << 15;
    /**
     * The transposed kernel gradient dWᵀ [F × K] is accumulated in the caller's buffer up to about this many
     * floats (1 MiB) at a time; a wider one is computed in passes over the batch, each for some columns.
     */
    private static final int TRANSPOSED_BUFFER_FLOATS = 1 << 18;

    private Conv2dKernels() {
    }

    /** Floats of the scratch array each part needs, for any of the three products. */
    public static int scratchFloats(Conv2dShape s) {
        int gradientRows = Math.max(paddedWidth(s.filters()), paddedWidth(transposedColumns(s)));
        return BlockedGemm.scratchFloats() + BlockedGemm.KC * gradientRows;
    }

    /** Columns of a packed B of n columns: whole panels. */
    private static int paddedWidth(int n) {
        return PackedGemm.panels(n) * PackedGemm.width(n);
    }

    /** Floats of W packed for the forward pass. */
    public static int packedWeightFloats(Conv2dShape s) {
        return PackedGemm.packedFloats(s.patch(), s.filters());
    }

    /** The panels {@link #packWeights} packs one at a time. */
    public static int weightPanels(Conv2dShape s) {
        return PackedGemm.panels(s.filters());
    }

    /**
     * Packs panel {@code panel} of W [KH][KW][Cin][F] for {@link #forward}. Panels are independent: split
     * them between threads, all before the first forward call that reads them.
     */
    public static void packWeights(MemorySegment w, Conv2dShape s, int panel, float[] packed) {
        PackedGemm.packRows(w, s.patch(), s.filters(), panel, packed);
    }

    /** Floats of Wᵀ packed for the input gradient. */
    public static int packedTransposedWeightFloats(Conv2dShape s) {
        return PackedGemm.packedFloats(s.filters(), s.patch());
    }

    /** The panels {@link #packTransposedWeights} packs one at a time. */
    public static int transposedWeightPanels(Conv2dShape s) {
        return PackedGemm.panels(s.patch());
    }

    /** Packs panel {@code panel} of Wᵀ [F × K] straight from W for {@link #inputGradient}; no transposed copy. */
    public static void packTransposedWeights(MemorySegment w, Conv2dShape s, int panel, float[] packed) {
        PackedGemm.packTransposed(w, s.filters(), s.patch(), panel, packed);
    }

    /** Output pixels per block of the input gradient: a multiple of the tile height that fills the column buffer. */
    static int columnRows(Conv2dShape s) {
        int rows = COLUMN_BLOCK_FLOATS / s.patch() / BlockedGemm.MR * BlockedGemm.MR;
        return Math.min(BlockedGemm.MC, Math.max(BlockedGemm.MR, rows));
    }

    /**
     * Floats of the buffer segment each part brings to the gradients: a block of dZ·Wᵀ rows for the input
     * gradient, or the transposed kernel gradient for {@link #weightGradient} when it takes that form.
     */
    public static long bufferFloats(Conv2dShape s) {
        long columns = (long) columnRows(s) * s.patch();
        long transposed = (long) s.filters() * transposedColumns(s);
        return Math.max(columns, transposed);
    }

    /**
     * Whether dW is computed as dWᵀ = dZᵀ·patches rather than as patchesᵀ·dZ. Either way one operand of the
     * tile must be a transposed copy, made with scalar moves (about 1 ns a float here, the dominant cost):
     * transposing the block of dZ moves F floats a pixel, transposing the patches K. So the transposed form
     * when F &lt; K (a deeper layer: 64 against 288), the direct one otherwise (a first layer: 32 against 9).
     * Each element of dW is the same fma chain in both (the operands of an fma commute), so the bits agree.
     */
    static boolean transposesWeightGradient(Conv2dShape s) {
        return s.filters() < s.patch();
    }

    /**
     * The multiple of dW rows a caller's split should use: whole tiles of the form {@link #weightGradient}
     * takes for this shape ({@link PackedGemm#PANEL_WIDTH} rows in the transposed form, where dW's rows are
     * the columns of the tile; {@link BlockedGemm#MR} in the direct one). Any split gives the same bits; a
     * split inside a tile leaves both parts an edge tile, computed at full width through the scratch tile
     * area (288 rows split at 144 gives each part a half-empty fifth panel).
     */
    public static int weightGradientGrain(Conv2dShape s) {
        return transposesWeightGradient(s) ? PackedGemm.PANEL_WIDTH : BlockedGemm.MR;
    }

    /** Columns of dWᵀ per pass over the batch: all K when F × K fits the buffer's cap, else whole panels of them. */
    static int transposedColumns(Conv2dShape s) {
        int panel = PackedGemm.PANEL_WIDTH;
        int columns = Math.max(panel, TRANSPOSED_BUFFER_FLOATS / s.filters() / panel * panel);
        return Math.min(s.patch(), columns);
    }

    /**
     * For the output pixels r in [pixelFrom, pixelTo) (r = (n·OH + oh)·OW + ow, over the batch) and every
     * filter f: z = Σ_q patch(r, q)·W[q, f] + bias[f] (bias may be null), stored to {@code pre} when it is
     * non-null, and y = act(z). x is [n][H][W][Cin], y and pre [n][OH][OW][F]; W packed by {@link #packWeights}.
     *
     * @throws IllegalArgumentException if act is not elementwise, the range is not within the int pixel
     *     count, or scratch is shorter than {@link #scratchFloats}
     */
    public static void forward(MemorySegment x, Conv2dShape s, int pixelFrom, int pixelTo, float[] packedW,
            MemorySegment bias, MemorySegment pre, MemorySegment y, Activation act, float[] scratch) {
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("activation " + act
                    + " cannot be fused into the convolution; expected an elementwise one (all but SOFTMAX)");
        }
        checkRange("pixel", pixelFrom, pixelTo);
        checkScratch(s, scratch);
        int k = s.patch();
        int f = s.filters();
        MemorySegment z = pre != null ? pre : y;
        boolean reluHere = act == Activation.RELU && pre == null;
        int width = PackedGemm.width(f);
        int panelStride = PackedGemm.panelBase(k, f, 1);
        int blocks = BlockedGemm.kBlocks(k);
        for (int mb = pixelFrom; mb < pixelTo; mb += BlockedGemm.MC) {
            int mc = Math.min(BlockedGemm.MC, pixelTo - mb);
            for (int block = 0, kb = 0; block < blocks; kb += BlockedGemm.kcOf(k, blocks, block), block++) {
                int kc = BlockedGemm.kcOf(k, blocks, block);
                ConvPacking.packPatchRows(x, s, mb, mc, kb, kc, scratch);
                BlockedGemm.multiplyBlock(scratch, mc, kc, packedW, kb * width, panelStride, f, kb == 0, kb + kc == k,
                        z, mb, y, bias, act, reluHere);
            }
        }
    }

    /**
     * The kernel gradient for its rows q in [rowFrom, rowTo) (of K = KH·KW·Cin; q = (kh·KW + kw)·Cin + ci):
     * dW[q, f] = Σ_r patch(r, q)·dZ[r, f] over all output pixels r of {@code images} images, in order; and,
     * when {@code db} is non-null, db[f] = Σ_r dZ[r, f] in order. Overwrites those rows of dW (and db).
     * x is [images][H][W][Cin], dZ [images][OH][OW][F] (the gradient of the pre-activation), dW [K × F];
     * {@code buffer} holds at least {@link #bufferFloats} floats and, like scratch, belongs to this call alone.
     *
     * <p>Pass db to exactly one part of a split (any one: every part reads all of dZ anyway).
     */
    public static void weightGradient(MemorySegment x, MemorySegment dz, Conv2dShape s, int images, int rowFrom,
            int rowTo, MemorySegment dw, MemorySegment db, float[] scratch, MemorySegment buffer) {
        weightGradient(x, dz, s, images, rowFrom, rowTo, dw, db, scratch, buffer, transposesWeightGradient(s));
    }

    /** {@link #weightGradient} in the form asked for; both must give the same bits (Conv2dKernelsTest). */
    static void weightGradient(MemorySegment x, MemorySegment dz, Conv2dShape s, int images, int rowFrom, int rowTo,
            MemorySegment dw, MemorySegment db, float[] scratch, MemorySegment buffer, boolean transposed) {
        checkRange("kernel row", rowFrom, rowTo);
        if (rowTo > s.patch()) {
            throw new IllegalArgumentException("kernel rows end at " + rowTo + ", beyond the " + s.patch()
                    + " rows (KH·KW·Cin) of dW");
        }
        checkScratch(s, scratch, buffer);
        int f = s.filters();
        int pixels = pixels(s, images);
        if (db != null) {
            zero(db, 0, f);
        }
        if (pixels == 0) {
            zero(dw, (long) rowFrom * f, (long) (rowTo - rowFrom) * f);
            return;
        }
        if (transposed) {
            weightGradientTransposed(x, dz, s, pixels, rowFrom, rowTo, dw, db, scratch, buffer);
        } else {
            weightGradientDirect(x, dz, s, pixels, rowFrom, rowTo, dw, db, scratch);
        }
    }

    /**
     * dW = patchesᵀ·dZ: per block of pixels, dZ's rows are packed as B (db summed on the way) and the
     * transposed patches of each block of dW rows as A.
     */
    private static void weightGradientDirect(MemorySegment x, MemorySegment dz, Conv2dShape s, int pixels,
            int rowFrom, int rowTo, MemorySegment dw, MemorySegment db, float[] scratch) {
        int f = s.filters();
        int packedBase = BlockedGemm.scratchFloats();
        int blocks = BlockedGemm.kBlocks(pixels);
        for (int block = 0, qb = 0; block < blocks; qb += BlockedGemm.kcOf(pixels, blocks, block), block++) {
            int kc = BlockedGemm.kcOf(pixels, blocks, block);
            // This block's rows of dZ, every panel, packed once for all the row blocks of dW below.
            ConvPacking.packGradientRows(dz, f, qb, kc, scratch, packedBase, db);
            for (int mb = rowFrom; mb < rowTo; mb += BlockedGemm.MC) {
                int mc = Math.min(BlockedGemm.MC, rowTo - mb);
                ConvPacking.packPatchColumns(x, s, mb, mc, qb, kc, scratch);
                BlockedGemm.multiplyBlock(scratch, mc, kc, scratch, packedBase, kc * PackedGemm.width(f), f,
                        block == 0, qb + kc == pixels, dw, mb, dw, null, Activation.LINEAR, false);
            }
        }
    }

    /**
     * dWᵀ = dZᵀ·patches into the buffer [F × columns], then copied transposed into dW's rows: per block of
     * pixels, the patch rows are packed as B (vector copies) and dZ's block transposed as A. db is summed in
     * the first pass over the batch (or alone, for an empty range of rows).
     */
    private static void weightGradientTransposed(MemorySegment x, MemorySegment dz, Conv2dShape s, int pixels,
            int rowFrom, int rowTo, MemorySegment dw, MemorySegment db, float[] scratch, MemorySegment buffer) {
        int f = s.filters();
        int packedBase = BlockedGemm.scratchFloats();
        int blocks = BlockedGemm.kBlocks(pixels);
        boolean summing = db != null;
        for (int c0 = rowFrom; c0 < rowTo || summing; c0 += transposedColumns(s)) {
            int cols = Math.min(transposedColumns(s), rowTo - c0);
            for (int block = 0, qb = 0; block < blocks; qb += BlockedGemm.kcOf(pixels, blocks, block), block++) {
                int kc = BlockedGemm.kcOf(pixels, blocks, block);
                if (summing) {
                    ConvPacking.addColumnSums(dz, f, qb, kc, db);
                }
                if (cols <= 0) {
                    continue;
                }
                ConvPacking.packPatchPanels(x, s, qb, kc, c0, cols, scratch, packedBase);
                for (int fb = 0; fb < f; fb += BlockedGemm.MC) {
                    int mc = Math.min(BlockedGemm.MC, f - fb);
                    BlockedGemm.packA(dz, 1, f, fb, mc, qb, kc, scratch);
                    BlockedGemm.multiplyBlock(scratch, mc, kc, scratch, packedBase, kc * PackedGemm.width(cols), cols,
                            block == 0, qb + kc == pixels, buffer, fb, buffer, null, Activation.LINEAR, false);
                }
            }
            summing = false;
            for (int j = 0; j < cols; j++) {
                long row = (long) (c0 + j) * f;
                for (int fr = 0; fr < f; fr++) {
                    dw.setAtIndex(JAVA_FLOAT, row + fr, buffer.getAtIndex(JAVA_FLOAT, (long) fr * cols + j));
                }
            }
        }
    }

    /**
     * The input gradient of the images [imageFrom, imageTo): dX[n, ih, iw, ci] = Σ over the output pixels r
     * whose patch covers (ih, iw), in order, of Σ_f dZ[r, f]·W[kh, kw, ci, f]. Overwrites those images of dX
     * [n][H][W][Cin] (padding receives nothing). Wᵀ packed by {@link #packTransposedWeights}; {@code buffer}
     * holds at least {@link #bufferFloats} floats and, like scratch, belongs to this call alone.
     */
    public static void inputGradient(MemorySegment dz, Conv2dShape s, int imageFrom, int imageTo, float[] packedWt,
            MemorySegment dx, float[] scratch, MemorySegment buffer) {
        checkRange("image", imageFrom, imageTo);
        checkScratch(s, scratch, buffer);
        int k = s.patch();
        int f = s.filters();
        int pixelFrom = pixels(s, imageFrom);
        int pixelTo = pixels(s, imageTo);
        zero(dx, (long) imageFrom * s.inputFloats(), (long) (imageTo - imageFrom) * s.inputFloats());
        int blockRows = columnRows(s);
        int width = PackedGemm.width(k);
        int panelStride = PackedGemm.panelBase(f, k, 1);
        int blocks = BlockedGemm.kBlocks(f);
        for (int mb = pixelFrom; mb < pixelTo; mb += blockRows) {
            int mc = Math.min(blockRows, pixelTo - mb);
            for (int block = 0, kb = 0; block < blocks; kb += BlockedGemm.kcOf(f, blocks, block), block++) {
                int kc = BlockedGemm.kcOf(f, blocks, block);
                BlockedGemm.packA(dz, f, 1, mb, mc, kb, kc, scratch);
                BlockedGemm.multiplyBlock(scratch, mc, kc, packedWt, kb * width, panelStride, k, kb == 0,
                        kb + kc == f, buffer, 0, buffer, null, Activation.LINEAR, false);
            }
            ConvPacking.addPatchRows(buffer, s, mb, mc, dx);
        }
    }

    /** Output pixels of {@code images} images, refused when they exceed an int. */
    private static int pixels(Conv2dShape s, int images) {
        long pixels = (long) images * s.outPixels();
        if (pixels > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(images + " images of " + s.outPixels() + " output pixels are too"
                    + " many for one call; expected at most " + Integer.MAX_VALUE + " pixels");
        }
        return (int) pixels;
    }

    private static void checkRange(String what, int from, int to) {
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(what + " range [" + from + ", " + to + ") is invalid; expected"
                    + " 0 <= from <= to");
        }
    }

    private static void checkScratch(Conv2dShape s, float[] scratch) {
        if (scratch.length < scratchFloats(s)) {
            throw new IllegalArgumentException("scratch has " + scratch.length + " floats, expected at least "
                    + scratchFloats(s) + " (Conv2dKernels.scratchFloats)");
        }
    }

    private static void checkScratch(Conv2dShape s, float[] scratch, MemorySegment buffer) {
        checkScratch(s, scratch);
        if (buffer.byteSize() < bufferFloats(s) * Float.BYTES) {
            throw new IllegalArgumentException("the buffer has " + buffer.byteSize() / Float.BYTES
                    + " floats, expected at least " + bufferFloats(s) + " (Conv2dKernels.bufferFloats)");
        }
    }

    /** Zeros {@code floats} floats of {@code m} from float index {@code from}: whole vectors, then one by one. */
    static void zero(MemorySegment m, long from, long floats) {
        long i = 0;
        for (; i + L <= floats; i += L) {
            FloatVector.zero(S).intoMemorySegment(m, (from + i) * Float.BYTES, ORDER);
        }
        for (; i < floats; i++) {
            m.setAtIndex(JAVA_FLOAT, from + i, 0f);
        }
    }

    /**
     * to[toFrom + i] += from[fromFrom + i] for i in [0, count): adds the kernel gradient of one chunk of images
     * to the sum of the chunks before it. An add rounds the same in a lane as in a scalar, so the tail agrees.
     */
    public static void add(MemorySegment from, long fromFrom, MemorySegment to, long toFrom, long count) {
        long i = 0;
        for (; i + L <= count; i += L) {
            long t = (toFrom + i) * Float.BYTES;
            FloatVector.fromMemorySegment(S, to, t, ORDER)
                    .add(FloatVector.fromMemorySegment(S, from, (fromFrom + i) * Float.BYTES, ORDER))
                    .intoMemorySegment(to, t, ORDER);
        }
        for (; i < count; i++) {
            to.setAtIndex(JAVA_FLOAT, toFrom + i, to.getAtIndex(JAVA_FLOAT, toFrom + i) + from.getAtIndex(JAVA_FLOAT, fromFrom + i));
        }
    }
}
