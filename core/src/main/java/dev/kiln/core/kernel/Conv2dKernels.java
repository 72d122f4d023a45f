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
 *   <li>{@link #weightGradient}: dW = patchesᵀ·dZ [K × F], and db = Σ dZ over the pixels. <b>Split unit:
 *       rows of dW</b> (kernel positions q = (kh·KW + kw)·Cin + ci), any range; every part reads the whole
 *       batch. db is written by the one part it is passed to.
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
 * <p>No call allocates: each part brings a scratch array of {@link #scratchFloats} floats, and for the input
 * gradient a column buffer of {@link #columnFloats} floats.
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
 * Conv2dKernels.weightGradient(x, dz, s, batch, 0, s.patch(), dw, db, scratch);
 * float[] packedWt = new float[Conv2dKernels.packedTransposedWeightFloats(s)];
 * for (int p = 0; p < Conv2dKernels.transposedWeightPanels(s); p++) {
 *     Conv2dKernels.packTransposedWeights(w, s, p, packedWt);
 * }
 * MemorySegment columns = arena.allocate(Conv2dKernels.columnFloats(s) * Float.BYTES, 64);
 * Conv2dKernels.inputGradient(dz, s, 0, batch, packedWt, dx, scratch, columns);
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

    private Conv2dKernels() {
    }

    /** Floats of the scratch array each part needs, for any of the three products. */
    public static int scratchFloats(Conv2dShape s) {
        int f = s.filters();
        return BlockedGemm.scratchFloats() + BlockedGemm.KC * PackedGemm.panels(f) * PackedGemm.width(f);
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

    /** Floats of the column buffer {@link #inputGradient} needs, per part. */
    public static long columnFloats(Conv2dShape s) {
        return (long) columnRows(s) * s.patch();
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
     * x is [images][H][W][Cin], dZ [images][OH][OW][F] (the gradient of the pre-activation), dW [K × F].
     *
     * <p>Pass db to exactly one part of a split (any one: every part reads all of dZ anyway).
     */
    public static void weightGradient(MemorySegment x, MemorySegment dz, Conv2dShape s, int images, int rowFrom,
            int rowTo, MemorySegment dw, MemorySegment db, float[] scratch) {
        checkRange("kernel row", rowFrom, rowTo);
        if (rowTo > s.patch()) {
            throw new IllegalArgumentException("kernel rows end at " + rowTo + ", beyond the " + s.patch()
                    + " rows (KH·KW·Cin) of dW");
        }
        checkScratch(s, scratch);
        int f = s.filters();
        int pixels = pixels(s, images);
        if (db != null) {
            zero(db, 0, f);
        }
        if (pixels == 0) {
            zero(dw, (long) rowFrom * f, (long) (rowTo - rowFrom) * f);
            return;
        }
        if (rowFrom == rowTo && db == null) {
            return;
        }
        int packedBase = BlockedGemm.scratchFloats();
        int panelStride = 0;
        int blocks = BlockedGemm.kBlocks(pixels);
        for (int block = 0, qb = 0; block < blocks; qb += BlockedGemm.kcOf(pixels, blocks, block), block++) {
            int kc = BlockedGemm.kcOf(pixels, blocks, block);
            panelStride = kc * PackedGemm.width(f);
            // This block's rows of dZ, every panel, packed once for all the row blocks of dW below.
            ConvPacking.packGradientRows(dz, f, qb, kc, scratch, packedBase, db);
            for (int mb = rowFrom; mb < rowTo; mb += BlockedGemm.MC) {
                int mc = Math.min(BlockedGemm.MC, rowTo - mb);
                ConvPacking.packPatchColumns(x, s, mb, mc, qb, kc, scratch);
                BlockedGemm.multiplyBlock(scratch, mc, kc, scratch, packedBase, panelStride, f, block == 0,
                        qb + kc == pixels, dw, mb, dw, null, Activation.LINEAR, false);
            }
        }
    }

    /**
     * The input gradient of the images [imageFrom, imageTo): dX[n, ih, iw, ci] = Σ over the output pixels r
     * whose patch covers (ih, iw), in order, of Σ_f dZ[r, f]·W[kh, kw, ci, f]. Overwrites those images of dX
     * [n][H][W][Cin] (padding receives nothing). Wᵀ packed by {@link #packTransposedWeights}; {@code columns}
     * holds at least {@link #columnFloats} floats and, like scratch, belongs to this call alone.
     */
    public static void inputGradient(MemorySegment dz, Conv2dShape s, int imageFrom, int imageTo, float[] packedWt,
            MemorySegment dx, float[] scratch, MemorySegment columns) {
        checkRange("image", imageFrom, imageTo);
        checkScratch(s, scratch);
        if (columns.byteSize() < columnFloats(s) * Float.BYTES) {
            throw new IllegalArgumentException("the column buffer has " + columns.byteSize() / Float.BYTES
                    + " floats, expected at least " + columnFloats(s));
        }
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
                        kb + kc == f, columns, 0, columns, null, Activation.LINEAR, false);
            }
            ConvPacking.addPatchRows(columns, s, mb, mc, dx);
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
}
