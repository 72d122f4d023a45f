package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;

/**
 * Moves data between NHWC images and the blocks {@link BlockedGemm}'s register tile reads, so that a
 * convolution runs as a GEMM without ever building its whole patch matrix (im2col): only the block being
 * multiplied exists, in the caller's scratch array.
 *
 * <p>The patch matrix of a batch has one row per output pixel r = (n·OH + oh)·OW + ow and one column per
 * q = (kh·KW + kw)·Cin + ci; its element is x[n][oh·sh − padTop + kh][ow·sw − padLeft + kw][ci], or zero where
 * that position is padding. For a fixed kh the KW·Cin columns of a row are one contiguous run of x (the
 * kernel row's KW positions side by side, all their channels), cut short only by the left and right
 * padding: every packer here copies such runs rather than single elements.
 *
 * <p>Everything is package-private: {@link Conv2dKernels} is the public face.
 */
final class ConvPacking {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();

    private ConvPacking() {
    }

    /**
     * The forward pass's A block: scratch[i·kc + q] = patch(r0 + i, kb + q) for i &lt; mc, and zero rows up to
     * the next multiple of {@link BlockedGemm#MR}: the micro-panel layout of {@link BlockedGemm#packA}.
     */
    static void packPatchRows(MemorySegment x, Conv2dShape s, int r0, int mc, int kb, int kc, float[] scratch) {
        int height = s.height();
        int width = s.width();
        int channels = s.inChannels();
        int kernelWidth = s.kernelWidth();
        int outWidth = s.outWidth();
        int runLength = kernelWidth * channels;
        int qEnd = kb + kc;
        int khFirst = kb / runLength;
        int khLast = (qEnd - 1) / runLength;
        int image = r0 / s.outPixels();
        int pixel = r0 % s.outPixels();
        int oh = pixel / outWidth;
        int ow = pixel % outWidth;
        for (int i = 0; i < mc; i++) {
            int ih0 = oh * s.window().strideHeight() - s.window().padTop();
            int iw0 = ow * s.window().strideWidth() - s.window().padLeft();
            int kwLo = Math.max(0, -iw0);
            int kwHi = Math.max(kwLo, Math.min(kernelWidth, width - iw0));
            int row = i * kc - kb; // scratch index of column q is row + q
            for (int kh = khFirst; kh <= khLast; kh++) {
                int ih = ih0 + kh;
                int runStart = kh * runLength;
                int runEnd = runStart + runLength;
                boolean inside = ih >= 0 && ih < height;
                int validFrom = inside ? runStart + kwLo * channels : runStart;
                int validTo = inside ? runStart + kwHi * channels : runStart;
                fill(scratch, row, Math.max(kb, runStart), Math.min(qEnd, validFrom));
                int from = Math.max(kb, validFrom);
                int to = Math.min(qEnd, validTo);
                if (from < to) {
                    long source = (((long) image * height + ih) * width + iw0 + kwLo) * channels + (from - validFrom);
                    copyRun(x, source * Float.BYTES, scratch, row + from, to - from);
                }
                fill(scratch, row, Math.max(kb, validTo), Math.min(qEnd, runEnd));
            }
            if (++ow == outWidth) {
                ow = 0;
                if (++oh == s.outHeight()) {
                    oh = 0;
                    image++;
                }
            }
        }
        zeroPaddingRows(scratch, mc, kc);
    }

    /**
     * The weight gradient's A block, the patch matrix transposed: scratch[i·kc + q] = patch(q0 + q, k0 + i) for
     * the kernel rows k0..k0+mc (i &lt; mc) and the output pixels q0..q0+kc, zero rows up to the next multiple of
     * {@link BlockedGemm#MR}. Each pixel's runs of x are read in order and spread down a column of the block
     * (one store every kc floats); no whole transposed copy is ever made.
     */
    static void packPatchColumns(MemorySegment x, Conv2dShape s, int k0, int mc, int q0, int kc, float[] scratch) {
        int height = s.height();
        int width = s.width();
        int channels = s.inChannels();
        int kernelWidth = s.kernelWidth();
        int outWidth = s.outWidth();
        int tapFirst = k0 / channels;
        int tapLast = (k0 + mc - 1) / channels;
        int image = q0 / s.outPixels();
        int pixel = q0 % s.outPixels();
        int oh = pixel / outWidth;
        int ow = pixel % outWidth;
        for (int q = 0; q < kc; q++) {
            int ih0 = oh * s.window().strideHeight() - s.window().padTop();
            int iw0 = ow * s.window().strideWidth() - s.window().padLeft();
            long imageBase = (long) image * height;
            for (int tap = tapFirst; tap <= tapLast; tap++) {
                int ih = ih0 + tap / kernelWidth;
                int iw = iw0 + tap % kernelWidth;
                int ciFrom = Math.max(k0, tap * channels) - tap * channels;
                int ciTo = Math.min(k0 + mc, (tap + 1) * channels) - tap * channels;
                int p = (tap * channels + ciFrom - k0) * kc + q;
                if (ih < 0 || ih >= height || iw < 0 || iw >= width) {
                    for (int ci = ciFrom; ci < ciTo; ci++, p += kc) {
                        scratch[p] = 0f;
                    }
                } else {
                    long o = ((imageBase + ih) * width + iw) * channels;
                    for (int ci = ciFrom; ci < ciTo; ci++, p += kc) {
                        scratch[p] = x.getAtIndex(JAVA_FLOAT, o + ci);
                    }
                }
            }
            if (++ow == outWidth) {
                ow = 0;
                if (++oh == s.outHeight()) {
                    oh = 0;
                    image++;
                }
            }
        }
        zeroPaddingRows(scratch, mc, kc);
    }

    /**
     * The weight gradient's B block: rows q0..q0+kc of dZ [· × f], packed as {@link PackedGemm#packRows}
     * packs B (panels of {@code PackedGemm.width(f)} columns, zero-padded) but only these kc rows, panel p
     * at {@code base + p·kc·width}. When {@code sums} is non-null each column's values are added to the sum
     * it holds, row by row; the caller zeroes it before the first block. A float stored and loaded back is
     * unchanged, so over all blocks each sum is one chain over the rows in order.
     */
    static void packGradientRows(MemorySegment dz, int f, int q0, int kc, float[] packed, int base,
            MemorySegment sums) {
        int width = PackedGemm.width(f);
        int panels = PackedGemm.panels(f);
        long rowBytes = (long) f * Float.BYTES;
        for (int p = 0; p < panels; p++) {
            int j0 = p * width;
            int panelBase = base + p * kc * width;
            long offset = ((long) q0 * f + j0) * Float.BYTES;
            if (width == 2 * L && j0 + width <= f) {
                if (sums == null) {
                    packFullPanel(dz, offset, rowBytes, kc, packed, panelBase);
                } else {
                    packFullPanelSumming(dz, offset, rowBytes, kc, packed, panelBase, sums, (long) j0 * Float.BYTES);
                }
            } else {
                packPartialPanel(dz, offset, f, j0, width, kc, packed, panelBase, sums);
            }
        }
    }

    private static void packFullPanel(MemorySegment dz, long offset, long rowBytes, int kc, float[] packed, int p) {
        long second = (long) L * Float.BYTES;
        for (int q = 0; q < kc; q++, offset += rowBytes, p += 2 * L) {
            FloatVector.fromMemorySegment(S, dz, offset, ORDER).intoArray(packed, p);
            FloatVector.fromMemorySegment(S, dz, offset + second, ORDER).intoArray(packed, p + L);
        }
    }

    /** {@link #packFullPanel} adding each row into the panel's column sums (a method of its own: no vector merges at a branch). */
    private static void packFullPanelSumming(MemorySegment dz, long offset, long rowBytes, int kc, float[] packed,
            int p, MemorySegment sums, long sumsOffset) {
        long second = (long) L * Float.BYTES;
        FloatVector s0 = FloatVector.fromMemorySegment(S, sums, sumsOffset, ORDER);
        FloatVector s1 = FloatVector.fromMemorySegment(S, sums, sumsOffset + second, ORDER);
        for (int q = 0; q < kc; q++, offset += rowBytes, p += 2 * L) {
            FloatVector v0 = FloatVector.fromMemorySegment(S, dz, offset, ORDER);
            FloatVector v1 = FloatVector.fromMemorySegment(S, dz, offset + second, ORDER);
            v0.intoArray(packed, p);
            v1.intoArray(packed, p + L);
            s0 = s0.add(v0);
            s1 = s1.add(v1);
        }
        s0.intoMemorySegment(sums, sumsOffset, ORDER);
        s1.intoMemorySegment(sums, sumsOffset + second, ORDER);
    }

    /** A panel narrower than two vectors, element by element; the sums add in the same order as a lane. */
    private static void packPartialPanel(MemorySegment dz, long offset, int f, int j0, int width, int kc,
            float[] packed, int p, MemorySegment sums) {
        int cols = Math.min(width, f - j0);
        for (int q = 0; q < kc; q++) {
            long o = offset + (long) q * f * Float.BYTES;
            int row = p + q * width;
            for (int jj = 0; jj < cols; jj++) {
                packed[row + jj] = dz.get(JAVA_FLOAT, o + (long) jj * Float.BYTES);
            }
            Arrays.fill(packed, row + cols, row + width, 0f);
        }
        if (sums != null) {
            for (int jj = 0; jj < cols; jj++) {
                float sum = sums.getAtIndex(JAVA_FLOAT, j0 + jj);
                for (int q = 0; q < kc; q++) {
                    sum += packed[p + q * width + jj];
                }
                sums.setAtIndex(JAVA_FLOAT, j0 + jj, sum);
            }
        }
    }

    /**
     * The transposed weight gradient's B block: B[qq, j] = patch(q0 + qq, c0 + j) for the pixels q0..q0+kc and
     * the patch columns c0..c0+cols, packed as {@link PackedGemm#packRows} packs B (panels of
     * {@code PackedGemm.width(cols)} columns, zero-padded), panel p at {@code base + p·kc·width}. The same runs
     * of x as {@link #packPatchRows}, cut at panel edges: vector copies, no transposition.
     */
    static void packPatchPanels(MemorySegment x, Conv2dShape s, int q0, int kc, int c0, int cols, float[] packed,
            int base) {
        int height = s.height();
        int width = s.width();
        int channels = s.inChannels();
        int kernelWidth = s.kernelWidth();
        int outWidth = s.outWidth();
        int runLength = kernelWidth * channels;
        int panelWidth = PackedGemm.width(cols);
        int panelFloats = kc * panelWidth;
        int cEnd = c0 + cols;
        int khFirst = c0 / runLength;
        int khLast = (cEnd - 1) / runLength;
        int lastPanel = (cols - 1) / panelWidth;
        int lastCols = cols - lastPanel * panelWidth;
        int image = q0 / s.outPixels();
        int pixel = q0 % s.outPixels();
        int oh = pixel / outWidth;
        int ow = pixel % outWidth;
        for (int q = 0; q < kc; q++) {
            int ih0 = oh * s.window().strideHeight() - s.window().padTop();
            int iw0 = ow * s.window().strideWidth() - s.window().padLeft();
            int kwLo = Math.max(0, -iw0);
            int kwHi = Math.max(kwLo, Math.min(kernelWidth, width - iw0));
            // The pixel's columns c0..cEnd in order, each piece ending at a run's or a panel's edge; the
            // position in the panels advances with them (no division per piece).
            int row = base + q * panelWidth;
            int target = row;
            int room = panelWidth;
            for (int kh = khFirst; kh <= khLast; kh++) {
                int ih = ih0 + kh;
                int runStart = kh * runLength;
                boolean inside = ih >= 0 && ih < height;
                int validFrom = Math.max(c0, Math.min(cEnd, inside ? runStart + kwLo * channels : runStart));
                int validTo = Math.max(validFrom, Math.min(cEnd, inside ? runStart + kwHi * channels : runStart));
                int from = Math.max(c0, runStart);
                int to = Math.min(cEnd, runStart + runLength);
                long source = (((long) image * height + ih) * width + iw0 + kwLo) * channels
                        - (inside ? runStart + kwLo * channels : runStart);
                for (int j = from; j < to; ) {
                    int end = j < validFrom ? validFrom : j < validTo ? validTo : to;
                    int length = Math.min(end - j, room);
                    if (j >= validFrom && j < validTo) {
                        copyRun(x, (source + j) * Float.BYTES, packed, target, length);
                    } else {
                        Arrays.fill(packed, target, target + length, 0f);
                    }
                    j += length;
                    room -= length;
                    target += length;
                    if (room == 0) {
                        room = panelWidth;
                        target += panelFloats - panelWidth;
                    }
                }
            }
            fill(packed, row + lastPanel * panelFloats, lastCols, panelWidth);
            if (++ow == outWidth) {
                ow = 0;
                if (++oh == s.outHeight()) {
                    oh = 0;
                    image++;
                }
            }
        }
    }

    /**
     * sums[j] += Σ dz[q, j] for the rows q0..q0+kc of dZ [· × f], row by row: each sum one chain over the rows
     * in order, continued from what the caller's earlier blocks left.
     */
    static void addColumnSums(MemorySegment dz, int f, int q0, int kc, MemorySegment sums) {
        long rowBytes = (long) f * Float.BYTES;
        int j = 0;
        for (; j + L <= f; j += L) {
            long o = ((long) q0 * f + j) * Float.BYTES;
            FloatVector sum = FloatVector.fromMemorySegment(S, sums, (long) j * Float.BYTES, ORDER);
            for (int q = 0; q < kc; q++, o += rowBytes) {
                sum = sum.add(FloatVector.fromMemorySegment(S, dz, o, ORDER));
            }
            sum.intoMemorySegment(sums, (long) j * Float.BYTES, ORDER);
        }
        for (; j < f; j++) {
            float sum = sums.getAtIndex(JAVA_FLOAT, j);
            for (int q = 0; q < kc; q++) {
                sum += dz.getAtIndex(JAVA_FLOAT, (long) (q0 + q) * f + j);
            }
            sums.setAtIndex(JAVA_FLOAT, j, sum);
        }
    }

    /**
     * col2im for the input gradient: adds rows 0..mc of {@code columns} [mc × K], the patch-matrix gradient of
     * the output pixels r0..r0+mc, into dx where each patch element came from. Rows are added in order, and a
     * row touches each element of dx at most once, so every element of dx receives its terms in the order of
     * the output pixels whatever the blocks were.
     */
    static void addPatchRows(MemorySegment columns, Conv2dShape s, int r0, int mc, MemorySegment dx) {
        int height = s.height();
        int width = s.width();
        int channels = s.inChannels();
        int kernelWidth = s.kernelWidth();
        int outWidth = s.outWidth();
        int patch = s.patch();
        int image = r0 / s.outPixels();
        int pixel = r0 % s.outPixels();
        int oh = pixel / outWidth;
        int ow = pixel % outWidth;
        for (int i = 0; i < mc; i++) {
            int ih0 = oh * s.window().strideHeight() - s.window().padTop();
            int iw0 = ow * s.window().strideWidth() - s.window().padLeft();
            int kwLo = Math.max(0, -iw0);
            int kwHi = Math.min(kernelWidth, width - iw0);
            int length = (kwHi - kwLo) * channels;
            for (int kh = 0; kh < s.kernelHeight() && length > 0; kh++) {
                int ih = ih0 + kh;
                if (ih < 0 || ih >= height) {
                    continue;
                }
                long source = (long) i * patch + (kh * kernelWidth + kwLo) * channels;
                long target = (((long) image * height + ih) * width + iw0 + kwLo) * channels;
                addRun(columns, source * Float.BYTES, dx, target * Float.BYTES, length);
            }
            if (++ow == outWidth) {
                ow = 0;
                if (++oh == s.outHeight()) {
                    oh = 0;
                    image++;
                }
            }
        }
    }

    /** scratch[to..to+length) = x[from..): whole vectors, then the last few floats one by one (no masks). */
    private static void copyRun(MemorySegment x, long fromBytes, float[] scratch, int to, int length) {
        int i = 0;
        for (; i + L <= length; i += L) {
            FloatVector.fromMemorySegment(S, x, fromBytes + (long) i * Float.BYTES, ORDER).intoArray(scratch, to + i);
        }
        for (; i < length; i++) {
            scratch[to + i] = x.get(JAVA_FLOAT, fromBytes + (long) i * Float.BYTES);
        }
    }

    /** target[·] += source[·] over {@code length} floats. */
    private static void addRun(MemorySegment source, long sourceBytes, MemorySegment target, long targetBytes,
            int length) {
        int i = 0;
        for (; i + L <= length; i += L) {
            long so = sourceBytes + (long) i * Float.BYTES;
            long to = targetBytes + (long) i * Float.BYTES;
            FloatVector.fromMemorySegment(S, target, to, ORDER)
                    .add(FloatVector.fromMemorySegment(S, source, so, ORDER))
                    .intoMemorySegment(target, to, ORDER);
        }
        for (; i < length; i++) {
            long so = sourceBytes + (long) i * Float.BYTES;
            long to = targetBytes + (long) i * Float.BYTES;
            target.set(JAVA_FLOAT, to, target.get(JAVA_FLOAT, to) + source.get(JAVA_FLOAT, so));
        }
    }

    /** Zeros scratch[row + q] for q in [from, to); nothing when the range is empty. */
    private static void fill(float[] scratch, int row, int from, int to) {
        if (from < to) {
            Arrays.fill(scratch, row + from, row + to, 0f);
        }
    }

    /** The rows after the last real one, up to a whole micro-panel, are zero: the tile multiplies them too. */
    private static void zeroPaddingRows(float[] scratch, int mc, int kc) {
        int padded = (mc + BlockedGemm.MR - 1) / BlockedGemm.MR * BlockedGemm.MR;
        Arrays.fill(scratch, mc * kc, padded * kc, 0f);
    }
}
