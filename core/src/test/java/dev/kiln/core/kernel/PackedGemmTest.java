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
 * The packed panel GEMM against a double-accumulating scalar reference: odd shapes (rows around the
 * 6-row tile, n around the 2-vector panel, k = 1), the three ways B is packed, strided A, the fused
 * epilogue, and bit-identity whatever order the panels are packed and multiplied in.
 */
class PackedGemmTest {
    private static final int[] ROWS = {1, 2, 5, 6, 7, 8, 10, 13};
    private static final int[] INNER = {1, 2, 17, 100};
    private static final int[] COLS = {1, 10, 16, 17, 31, 32, 33, 70};

    @Test
    void rowMajorProductMatchesReferenceOnOddShapes() {
        for (int rows : ROWS) {
            for (int k : INNER) {
                for (int n : COLS) {
                    check(rows, k, n, Form.ROW_MAJOR, Activation.LINEAR, true, false, 31L * rows + 7L * k + n);
                }
            }
        }
    }

    @Test
    void transposedAProductMatchesReference() {
        for (int rows : ROWS) {
            for (int k : INNER) {
                for (int n : COLS) {
                    check(rows, k, n, Form.TRANSPOSED_A, Activation.LINEAR, false, false, 17L * rows + 5L * k + n);
                }
            }
        }
    }

    @Test
    void transposedBProductMatchesReference() {
        for (int rows : ROWS) {
            for (int k : INNER) {
                for (int n : COLS) {
                    check(rows, k, n, Form.TRANSPOSED_B, Activation.LINEAR, false, false, 13L * rows + 3L * k + n);
                }
            }
        }
    }

    @Test
    void everyElementwiseActivationFusesWithAndWithoutBiasAndPreActivation() {
        int[][] shapes = {{1, 7, 10}, {7, 17, 70}, {13, 100, 33}};
        for (Activation act : Activation.values()) {
            if (!act.isElementwise()) {
                continue;
            }
            for (int[] s : shapes) {
                for (boolean bias : new boolean[] {false, true}) {
                    for (boolean pre : new boolean[] {false, true}) {
                        check(s[0], s[1], s[2], Form.ROW_MAJOR, act, bias, pre, act.ordinal() * 101L + s[2]);
                    }
                }
            }
        }
    }

    @Test
    void columnSumsWhilePackingAreBitIdenticalToColumnSums() {
        try (Arena arena = Arena.ofConfined()) {
            for (int m : new int[] {1, 6, 33}) {
                for (int n : COLS) {
                    MemorySegment b = uniform(arena, new Random(m * 100L + n), (long) m * n, -1f, 1f);
                    MemorySegment expected = zeros(arena, n);
                    MemorySegment actual = zeros(arena, n);
                    BiasKernels.columnSums(b, expected, m, n, 0, n);
                    float[] packed = new float[PackedGemm.packedFloats(m, n)];
                    for (int p = PackedGemm.panels(n) - 1; p >= 0; p--) {
                        PackedGemm.packRowsWithColumnSums(b, m, n, p, packed, actual);
                    }
                    assertBitIdentical(expected, actual, "column sums m=" + m + " n=" + n);
                }
            }
        }
    }

    @Test
    void panelOrderDoesNotChangeABit() {
        int rows = 13;
        int k = 100;
        int n = 70;
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(5);
            MemorySegment a = uniform(arena, random, (long) rows * k, -1f, 1f);
            MemorySegment b = uniform(arena, random, (long) k * n, -1f, 1f);
            MemorySegment bias = uniform(arena, random, n, -1f, 1f);
            MemorySegment forward = zeros(arena, (long) rows * n);
            MemorySegment backward = zeros(arena, (long) rows * n);
            float[] packed = new float[PackedGemm.packedFloats(k, n)];
            for (int p = 0; p < PackedGemm.panels(n); p++) {
                PackedGemm.packRows(b, k, n, p, packed);
            }
            for (int p = 0; p < PackedGemm.panels(n); p++) {
                PackedGemm.multiply(a, k, 1, rows, k, n, packed, p, bias, null, forward, Activation.TANH);
            }
            float[] other = new float[packed.length];
            for (int p = PackedGemm.panels(n) - 1; p >= 0; p--) {
                PackedGemm.packRows(b, k, n, p, other);
                PackedGemm.multiply(a, k, 1, rows, k, n, other, p, bias, null, backward, Activation.TANH);
            }
            assertBitIdentical(forward, backward, "panels packed and multiplied in reverse");
        }
    }

    @Test
    void softmaxAndOversizedOperandsAreRejected() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = zeros(arena, 64);
            float[] packed = new float[PackedGemm.packedFloats(2, 2)];
            assertThrows(IllegalArgumentException.class,
                    () -> PackedGemm.multiply(m, 2, 1, 1, 2, 2, packed, 0, null, null, m, Activation.SOFTMAX));
            assertThrows(IllegalArgumentException.class, () -> PackedGemm.packedFloats(1 << 20, 1 << 20));
            assertThrows(IllegalArgumentException.class, () -> PackedGemm.packedFloats(-1, 4));
        }
    }

    /** How the operands are stored: C = A·B with B row-major, C = Xᵀ·B (A strided), C = A·Wᵀ (B packed from W). */
    private enum Form { ROW_MAJOR, TRANSPOSED_A, TRANSPOSED_B }

    private static void check(int rows, int k, int n, Form form, Activation act, boolean withBias, boolean withPre,
            long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment a = uniform(arena, random, (long) rows * k, -1f, 1f);
            MemorySegment b = uniform(arena, random, (long) k * n, -1f, 1f);
            MemorySegment bias = withBias ? uniform(arena, random, n, -1f, 1f) : null;
            MemorySegment pre = withPre ? uniform(arena, random, (long) rows * n, -9f, 9f) : null;
            MemorySegment c = uniform(arena, random, (long) rows * n, -9f, 9f);
            float[] packed = new float[PackedGemm.packedFloats(k, n)];
            long rowStride = form == Form.TRANSPOSED_A ? 1 : k;
            long innerStride = form == Form.TRANSPOSED_A ? rows : 1;
            for (int p = 0; p < PackedGemm.panels(n); p++) {
                if (form == Form.TRANSPOSED_B) {
                    PackedGemm.packTransposed(b, k, n, p, packed);
                } else {
                    PackedGemm.packRows(b, k, n, p, packed);
                }
                PackedGemm.multiply(a, rowStride, innerStride, rows, k, n, packed, p, bias, pre, c, act);
            }
            String shape = form + " " + act + " bias=" + withBias + " pre=" + withPre + " rows=" + rows + " k=" + k
                    + " n=" + n;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < n; j++) {
                    double z = withBias ? get(bias, j) : 0.0;
                    double absSum = Math.abs(z);
                    for (int q = 0; q < k; q++) {
                        float aq = get(a, i * rowStride + q * innerStride);
                        float bq = form == Form.TRANSPOSED_B ? get(b, (long) j * k + q) : get(b, (long) q * n + j);
                        double t = (double) aq * bq;
                        z += t;
                        absSum += Math.abs(t);
                    }
                    double zTolerance = 1e-6 * Math.sqrt(k) * (absSum + 1e-3);
                    long e = (long) i * n + j;
                    if (withPre && !(Math.abs(get(pre, e) - z) <= zTolerance)) {
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
}
