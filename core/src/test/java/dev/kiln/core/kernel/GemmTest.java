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

/** Every GEMM against a double-accumulating scalar reference on odd shapes, plus range-split determinism. */
class GemmTest {
    private static final int[] ROWS = {1, 3, 5, 33};
    private static final int[] INNER = {1, 7, 17, 784};
    private static final int[] COLS = {1, 10, 15, 16, 17, 33, 128};
    /** Shapes for the epilogue sweep: a lone remainder row, 4-row tiles plus remainders, full 4×4 tiles. */
    private static final int[][] EPILOGUE_SHAPES = {{1, 7, 10}, {6, 17, 70}, {9, 784, 128}};

    @Test
    void matmulMatchesReferenceOnOddShapes() {
        for (int rows : ROWS) {
            for (int k : INNER) {
                for (int n : COLS) {
                    checkForward(rows, k, n, Activation.LINEAR, true, true, 11L * rows + 7L * k + n);
                }
            }
        }
    }

    @Test
    void everyActivationFusesIntoTheEpilogueWithAndWithoutBiasAndPreActivation() {
        for (Activation act : Activation.values()) {
            if (!act.isElementwise()) {
                continue;
            }
            for (int[] shape : EPILOGUE_SHAPES) {
                for (boolean withBias : new boolean[] {false, true}) {
                    for (boolean withPre : new boolean[] {false, true}) {
                        checkForward(shape[0], shape[1], shape[2], act, withBias, withPre, act.ordinal() * 31L + shape[1]);
                    }
                }
            }
        }
    }

    @Test
    void softmaxCannotBeFused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = zeros(arena, 4);
            assertThrows(IllegalArgumentException.class,
                    () -> Gemm.matmulBiasActivation(m, m, null, null, m, 2, 2, Activation.SOFTMAX, 0, 1));
        }
    }

    @Test
    void matmulTransposeBMatchesReference() {
        for (int rows : ROWS) {
            for (int k : INNER) {
                for (int n : COLS) {
                    try (Arena arena = Arena.ofConfined()) {
                        Random random = new Random(3L * rows + 5L * k + n);
                        MemorySegment dy = uniform(arena, random, (long) rows * n, -1f, 1f);
                        MemorySegment w = uniform(arena, random, (long) k * n, -1f, 1f);
                        MemorySegment dx = uniform(arena, random, (long) rows * k, -9f, 9f); // must be overwritten
                        MemorySegment wt = uniform(arena, random, (long) k * n, -9f, 9f);
                        Gemm.transpose(w, wt, k, n, 0, k);
                        Gemm.matmulTransposeB(dy, wt, dx, k, n, 0, rows);
                        for (int i = 0; i < rows; i++) {
                            for (int p = 0; p < k; p++) {
                                double sum = 0, absSum = 0;
                                for (int j = 0; j < n; j++) {
                                    double t = (double) get(dy, (long) i * n + j) * get(w, (long) p * n + j);
                                    sum += t;
                                    absSum += Math.abs(t);
                                }
                                assertClose(sum, get(dx, (long) i * k + p), absSum, n,
                                        "dx[" + i + "," + p + "] rows=" + rows + " k=" + k + " n=" + n);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void transposeAMatmulMatchesReference() {
        for (int m : ROWS) {
            for (int k : INNER) {
                for (int n : COLS) {
                    try (Arena arena = Arena.ofConfined()) {
                        Random random = new Random(13L * m + 3L * k + n);
                        MemorySegment x = uniform(arena, random, (long) m * k, -1f, 1f);
                        MemorySegment dy = uniform(arena, random, (long) m * n, -1f, 1f);
                        MemorySegment dw = uniform(arena, random, (long) k * n, -9f, 9f); // must be overwritten
                        Gemm.transposeAMatmul(x, dy, dw, m, k, n, 0, k);
                        for (int p = 0; p < k; p++) {
                            for (int j = 0; j < n; j++) {
                                double sum = 0, absSum = 0;
                                for (int i = 0; i < m; i++) {
                                    double t = (double) get(x, (long) i * k + p) * get(dy, (long) i * n + j);
                                    sum += t;
                                    absSum += Math.abs(t);
                                }
                                assertClose(sum, get(dw, (long) p * n + j), absSum, m,
                                        "dw[" + p + "," + j + "] m=" + m + " k=" + k + " n=" + n);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void columnSumsMatchReference() {
        for (int m : ROWS) {
            for (int n : new int[] {1, 10, 15, 16, 17, 33, 64, 65, 128, 130}) {
                try (Arena arena = Arena.ofConfined()) {
                    Random random = new Random(17L * m + n);
                    MemorySegment dy = uniform(arena, random, (long) m * n, -1f, 1f);
                    MemorySegment db = uniform(arena, random, n, -9f, 9f); // must be overwritten
                    BiasKernels.columnSums(dy, db, m, n, 0, n);
                    for (int j = 0; j < n; j++) {
                        double sum = 0, absSum = 0;
                        for (int i = 0; i < m; i++) {
                            sum += get(dy, (long) i * n + j);
                            absSum += Math.abs(get(dy, (long) i * n + j));
                        }
                        assertClose(sum, get(db, j), absSum, m, "db[" + j + "] m=" + m + " n=" + n);
                    }
                }
            }
        }
    }

    @Test
    void everyMethodIsBitIdenticalUnderAnyRangeSplit() {
        int rows = 37, k = 131, n = 133;
        for (Activation act : new Activation[] {Activation.LINEAR, Activation.GELU, Activation.SIGMOID}) {
            try (Arena arena = Arena.ofConfined()) {
                Random random = new Random(act.ordinal());
                MemorySegment x = uniform(arena, random, (long) rows * k, -1f, 1f);
                MemorySegment w = uniform(arena, random, (long) k * n, -1f, 1f);
                MemorySegment bias = uniform(arena, random, n, -1f, 1f);
                MemorySegment dy = uniform(arena, random, (long) rows * n, -1f, 1f);
                for (int[] split : new int[][] {{1, 2}, {5, 22}, {3, 34}, {18, 19}}) {
                    int a = split[0], b = split[1];

                    MemorySegment zWhole = zeros(arena, (long) rows * n), yWhole = zeros(arena, (long) rows * n);
                    MemorySegment zParts = zeros(arena, (long) rows * n), yParts = zeros(arena, (long) rows * n);
                    Gemm.matmulBiasActivation(x, w, bias, zWhole, yWhole, k, n, act, 0, rows);
                    Gemm.matmulBiasActivation(x, w, bias, zParts, yParts, k, n, act, 0, a);
                    Gemm.matmulBiasActivation(x, w, bias, zParts, yParts, k, n, act, a, b);
                    Gemm.matmulBiasActivation(x, w, bias, zParts, yParts, k, n, act, b, rows);
                    assertBitIdentical(zWhole, zParts, "pre-activation split at " + a + "," + b);
                    assertBitIdentical(yWhole, yParts, "output split at " + a + "," + b);

                    MemorySegment dxWhole = zeros(arena, (long) rows * k), dxParts = zeros(arena, (long) rows * k);
                    MemorySegment wt = zeros(arena, (long) k * n);
                    Gemm.transpose(w, wt, k, n, 0, a);
                    Gemm.transpose(w, wt, k, n, a, k);
                    Gemm.matmulTransposeB(dy, wt, dxWhole, k, n, 0, rows);
                    Gemm.matmulTransposeB(dy, wt, dxParts, k, n, 0, a);
                    Gemm.matmulTransposeB(dy, wt, dxParts, k, n, a, b);
                    Gemm.matmulTransposeB(dy, wt, dxParts, k, n, b, rows);
                    assertBitIdentical(dxWhole, dxParts, "dx split at " + a + "," + b);

                    MemorySegment dwWhole = zeros(arena, (long) k * n), dwParts = zeros(arena, (long) k * n);
                    Gemm.transposeAMatmul(x, dy, dwWhole, rows, k, n, 0, k);
                    Gemm.transposeAMatmul(x, dy, dwParts, rows, k, n, 0, 3 * a);
                    Gemm.transposeAMatmul(x, dy, dwParts, rows, k, n, 3 * a, 3 * b);
                    Gemm.transposeAMatmul(x, dy, dwParts, rows, k, n, 3 * b, k);
                    assertBitIdentical(dwWhole, dwParts, "dw split at " + 3 * a + "," + 3 * b);

                    MemorySegment dbWhole = zeros(arena, n), dbParts = zeros(arena, n);
                    BiasKernels.columnSums(dy, dbWhole, rows, n, 0, n);
                    BiasKernels.columnSums(dy, dbParts, rows, n, 0, 3 * a);
                    BiasKernels.columnSums(dy, dbParts, rows, n, 3 * a, 3 * b);
                    BiasKernels.columnSums(dy, dbParts, rows, n, 3 * b, n);
                    assertBitIdentical(dbWhole, dbParts, "db split at " + 3 * a + "," + 3 * b);
                }
            }
        }
    }

    private static void checkForward(int rows, int k, int n, Activation act, boolean withBias, boolean withPre,
            long seed) {
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment x = uniform(arena, random, (long) rows * k, -1f, 1f);
            MemorySegment w = uniform(arena, random, (long) k * n, -1f, 1f);
            MemorySegment bias = withBias ? uniform(arena, random, n, -1f, 1f) : null;
            MemorySegment pre = withPre ? uniform(arena, random, (long) rows * n, -9f, 9f) : null;
            MemorySegment y = uniform(arena, random, (long) rows * n, -9f, 9f);
            Gemm.matmulBiasActivation(x, w, bias, pre, y, k, n, act, 0, rows);
            String shape = act + " bias=" + withBias + " pre=" + withPre + " rows=" + rows + " k=" + k + " n=" + n;
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < n; j++) {
                    double z = withBias ? get(bias, j) : 0.0;
                    double absSum = Math.abs(z);
                    for (int p = 0; p < k; p++) {
                        double t = (double) get(x, (long) i * k + p) * get(w, (long) p * n + j);
                        z += t;
                        absSum += Math.abs(t);
                    }
                    long e = (long) i * n + j;
                    double zTolerance = tolerance(absSum, k);
                    if (withPre) {
                        assertClose(z, get(pre, e), absSum, k, "z[" + i + "," + j + "] " + shape);
                    }
                    double expectedY = act.value(z);
                    // An error in z moves y by at most |f'| ≤ 1.13 (GELU's peak slope) times as much.
                    double yTolerance = 1.2 * zTolerance + 2e-6 * (1 + Math.abs(expectedY));
                    if (!(Math.abs(get(y, e) - expectedY) <= yTolerance)) {
                        fail("y[" + i + "," + j + "] " + shape + ": expected " + expectedY + " got " + get(y, e));
                    }
                }
            }
        }
    }

    /** Float summation error grows like √(terms); scale by the sum of magnitudes, not the (cancelling) result. */
    private static double tolerance(double absSum, int terms) {
        return 1e-6 * Math.sqrt(Math.max(terms, 1)) * (absSum + 1e-3);
    }

    private static void assertClose(double expected, float actual, double absSum, int terms, String what) {
        if (!(Math.abs(actual - expected) <= tolerance(absSum, terms))) {
            fail(what + ": expected " + expected + " got " + actual + " (tolerance " + tolerance(absSum, terms) + ")");
        }
    }
}
