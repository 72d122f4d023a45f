package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.TestBuffers.assertBitIdentical;
import static dev.kiln.core.kernel.TestBuffers.get;
import static dev.kiln.core.kernel.TestBuffers.uniform;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cache-blocked GEMM against {@link PackedGemm#multiply} bit for bit and against a double reference:
 * rows around the 6-row tile and past one MC block, inner around KC (one, two and a partial k-block),
 * n narrower than one vector, between panels and past several, every elementwise activation with and
 * without bias and pre-activation output, row-major and strided A, and the rows split into 1, 2 or 3
 * ranges as the dense step splits them between threads.
 */
class BlockedGemmTest {
    private static final int KC = BlockedGemm.KC;
    private static final int[] ROWS = {1, 5, 6, 13, BlockedGemm.MC + 7};
    private static final int[] INNER = {1, 17, KC, KC + 5, 2 * KC + 1};
    private static final int[] COLS = {1, 10, 16, 17, 32, 33, 70};

    @Test
    void rowMajorProductIsBitIdenticalToPackedGemmAndCloseToTheReference() {
        for (int rows : ROWS) {
            for (int k : INNER) {
                for (int n : COLS) {
                    for (int ranges = 1; ranges <= 3; ranges++) {
                        check(rows, k, n, false, Activation.LINEAR, false, false, ranges, 31L * rows + 7L * k + n);
                    }
                }
            }
        }
    }

    @Test
    void stridedAIsBitIdenticalToPackedGemm() {
        for (int rows : new int[] {7, 61}) {
            for (int k : new int[] {KC + 5, 2 * KC + 1}) {
                for (int n : new int[] {10, 70}) {
                    check(rows, k, n, true, Activation.LINEAR, true, false, 2, 17L * rows + k + n);
                }
            }
        }
    }

    @Test
    void everyElementwiseActivationFusesWithAndWithoutBiasAndPreActivation() {
        int[][] shapes = {{7, KC + 5, 10}, {13, 2 * KC + 1, 70}, {6, KC, 32}};
        for (Activation act : Activation.values()) {
            if (!act.isElementwise()) {
                continue;
            }
            for (int[] s : shapes) {
                for (boolean bias : new boolean[] {false, true}) {
                    for (boolean pre : new boolean[] {false, true}) {
                        check(s[0], s[1], s[2], false, act, bias, pre, 1 + act.ordinal() % 3,
                                act.ordinal() * 101L + s[2]);
                    }
                }
            }
        }
    }

    @Test
    void softmaxAndSmallScratchAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = zeros(arena, 64);
            float[] packed = new float[PackedGemm.packedFloats(2, 2)];
            float[] scratch = new float[BlockedGemm.scratchFloats()];
            assertThrows(IllegalArgumentException.class, () -> BlockedGemm.multiply(m, 2, 1, 0, 1, 2, 2, packed, null,
                    null, m, Activation.SOFTMAX, scratch));
            assertThrows(IllegalArgumentException.class, () -> BlockedGemm.multiply(m, 2, 1, 0, 1, 2, 2, packed, null,
                    null, m, Activation.LINEAR, new float[16]));
        }
    }

    /**
     * Runs both paths from the same packed B into outputs that start with different garbage (so a value
     * the blocked path forgets to write shows), compares them bit for bit, then checks against a double
     * reference.
     */
    private static void check(int rows, int k, int n, boolean stridedA, Activation act, boolean withBias,
            boolean withPre, int ranges, long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment a = uniform(arena, random, (long) rows * k, -1f, 1f);
            MemorySegment b = uniform(arena, random, (long) k * n, -1f, 1f);
            MemorySegment bias = withBias ? uniform(arena, random, n, -1f, 1f) : null;
            MemorySegment prePacked = withPre ? uniform(arena, random, (long) rows * n, -9f, 9f) : null;
            MemorySegment cPacked = uniform(arena, random, (long) rows * n, -9f, 9f);
            MemorySegment preBlocked = withPre ? uniform(arena, random, (long) rows * n, -9f, 9f) : null;
            MemorySegment cBlocked = uniform(arena, random, (long) rows * n, -9f, 9f);
            long rowStride = stridedA ? 1 : k;
            long innerStride = stridedA ? rows : 1;
            float[] packed = new float[PackedGemm.packedFloats(k, n)];
            for (int p = 0; p < PackedGemm.panels(n); p++) {
                PackedGemm.packRows(b, k, n, p, packed);
            }
            for (int p = 0; p < PackedGemm.panels(n); p++) {
                PackedGemm.multiply(a, rowStride, innerStride, rows, k, n, packed, p, bias, prePacked, cPacked, act);
            }
            // Last range first, each with a scratch array full of garbage: neither order nor leftovers may matter.
            for (int part = ranges - 1; part >= 0; part--) {
                float[] scratch = new float[BlockedGemm.scratchFloats()];
                java.util.Arrays.fill(scratch, Float.NaN);
                int from = start(rows, part, ranges);
                int to = start(rows, part + 1, ranges);
                BlockedGemm.multiply(a, rowStride, innerStride, from, to, k, n, packed, bias, preBlocked, cBlocked, act,
                        scratch);
            }
            String shape = act + " bias=" + withBias + " pre=" + withPre + " strided=" + stridedA + " rows=" + rows
                    + " k=" + k + " n=" + n + " ranges=" + ranges;
            assertBitIdentical(cPacked, cBlocked, "c of " + shape);
            if (withPre) {
                assertBitIdentical(prePacked, preBlocked, "pre-activation of " + shape);
            }
            checkReference(a, b, bias, preBlocked, cBlocked, rows, k, n, rowStride, innerStride, act, shape);
        }
    }

    /** Range boundaries on multiples of the tile height, as DenseForwardStep splits rows. */
    private static int start(int rows, int part, int parts) {
        if (part >= parts) {
            return rows;
        }
        int tiles = (rows + BlockedGemm.MR - 1) / BlockedGemm.MR;
        return Math.min(rows, (int) ((long) tiles * part / parts) * BlockedGemm.MR);
    }

    private static void checkReference(MemorySegment a, MemorySegment b, MemorySegment bias, MemorySegment pre,
            MemorySegment c, int rows, int k, int n, long rowStride, long innerStride, Activation act, String shape) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < n; j++) {
                double z = bias != null ? get(bias, j) : 0.0;
                double absSum = Math.abs(z);
                for (int q = 0; q < k; q++) {
                    double t = (double) get(a, i * rowStride + q * innerStride) * get(b, (long) q * n + j);
                    z += t;
                    absSum += Math.abs(t);
                }
                double zTolerance = 1e-6 * Math.sqrt(k) * (absSum + 1e-3);
                long e = (long) i * n + j;
                if (pre != null && !(Math.abs(get(pre, e) - z) <= zTolerance)) {
                    fail("z[" + i + "," + j + "] " + shape + ": expected " + z + " got " + get(pre, e));
                }
                double expected = act.value(z);
                double tolerance = 1.2 * zTolerance + 2e-6 * (1 + Math.abs(expected));
                if (!(Math.abs(get(c, e) - expected) <= tolerance)) {
                    fail("c[" + i + "," + j + "] " + shape + ": expected " + expected + " got " + get(c, e));
                }
            }
        }
    }
}
