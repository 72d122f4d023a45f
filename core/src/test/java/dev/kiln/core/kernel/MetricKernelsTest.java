package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.LossTestBuffers.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Metric reductions against scalar references, ties included. */
class MetricKernelsTest {

    @Test
    void argmaxTakesTheFirstOfTiedMaxima() {
        int cols = 4;
        float[] pred = {
            1f, 3f, 3f, 2f,      // tie at 1 and 2 → 1
            5f, 5f, 5f, 5f,      // all tied → 0
            -1f, -2f, -1f, -3f,  // negative tie → 0
            0f, 0f, 0f, 7f};     // clear max at the end → 3
        float[] labels = {1f, 0f, 2f, 3f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = segment(arena, pred);
            assertEquals(3, MetricKernels.argmaxMatchesLabels(p, segment(arena, labels), cols, 0, 4));
            // Per-row ranges: row 2 (label 2, argmax 0) is the miss.
            assertEquals(0, MetricKernels.argmaxMatchesLabels(p, segment(arena, labels), cols, 2, 3));
            float[] target = {0f, 1f, 1f, 0f, 1f, 0f, 0f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 0f, 1f};
            // argmax(target) per row: 1, 0, 2, 3.
            assertEquals(3, MetricKernels.argmaxMatchesOneHot(p, segment(arena, target), cols, 0, 4));
        }
    }

    /** The R² sums per column, added on top of what {@code out} holds, at an offset, for odd widths. */
    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {1, 2, 3, 7, 8, 9, 17, 33})
    void columnMomentsMatchAScalarReference(int cols) {
        int rows = 13;
        int at = 5;
        Random random = new Random(100 + cols);
        float[] pred = LossTestBuffers.uniform(random, rows * cols, -3f, 3f);
        float[] target = LossTestBuffers.uniform(random, rows * cols, -2f, 4f);
        double[] expected = new double[at + 3 * cols + 2];
        java.util.Arrays.fill(expected, 0.5);
        double[] out = expected.clone();
        for (int i = 2; i < 11; i++) {
            for (int c = 0; c < cols; c++) {
                double t = target[i * cols + c];
                double r = t - pred[i * cols + c];
                expected[at + c] += t;
                expected[at + cols + c] += t * t;
                expected[at + 2 * cols + c] += r * r;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MetricKernels.columnMoments(segment(arena, pred), segment(arena, target), cols, 2, 11, out, at);
        }
        for (int k = 0; k < out.length; k++) {
            assertEquals(expected[k], out[k], 1e-12 * Math.max(1, Math.abs(expected[k])), "sum " + k);
        }
    }

    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {1, 2, 10, 15, 16, 17, 33, 40})
    void argmaxMatchesAScalarReference(int cols) {
        int rows = 37;
        Random random = new Random(cols);
        float[] pred = new float[rows * cols];
        for (int k = 0; k < pred.length; k++) {
            pred[k] = random.nextInt(4); // few distinct values: ties everywhere, also across vector lanes
        }
        float[] labels = LossTestBuffers.labels(random, rows, cols);
        float[] target = LossTestBuffers.uniform(random, rows * cols, 0f, 1f);
        long byLabel = 0;
        long byTarget = 0;
        for (int i = 0; i < rows; i++) {
            int a = firstMax(pred, i, cols);
            byLabel += a == (int) labels[i] ? 1 : 0;
            byTarget += a == firstMax(target, i, cols) ? 1 : 0;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = segment(arena, pred);
            assertEquals(byLabel, MetricKernels.argmaxMatchesLabels(p, segment(arena, labels), cols, 0, rows));
            assertEquals(byTarget, MetricKernels.argmaxMatchesOneHot(p, segment(arena, target), cols, 0, rows));
        }
    }

    @ParameterizedTest(name = "n {0}")
    @ValueSource(ints = {1, 7, 16, 17, 33, 1001})
    void elementMetricsMatchScalarReferences(int n) {
        Random random = new Random(n);
        float[] pred = LossTestBuffers.uniform(random, n, 0f, 1f);
        float[] target = new float[n];
        for (int k = 0; k < n; k++) {
            target[k] = random.nextBoolean() ? 1f : 0f;
            if (k % 5 == 0) {
                pred[k] = 0.5f; // exactly at the threshold: not above, so predicted 0
            }
        }
        long matches = 0;
        double abs = 0;
        double sq = 0;
        for (int k = 0; k < n; k++) {
            matches += (pred[k] > 0.5f ? 1f : 0f) == target[k] ? 1 : 0;
            double d = (double) pred[k] - target[k];
            abs += Math.abs(d);
            sq += d * d;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = segment(arena, pred);
            MemorySegment t = segment(arena, target);
            assertEquals(matches, MetricKernels.thresholdMatches(p, t, 0.5f, 0, n));
            assertEquals(abs, MetricKernels.sumAbsoluteError(p, t, 0, n), 1e-12 * abs);
            assertEquals(sq, MetricKernels.sumSquaredError(p, t, 0, n), 1e-12 * sq);
            // Any split adds up to the same counts, and to the same sums up to double rounding.
            int cut = n / 3;
            assertEquals(matches, MetricKernels.thresholdMatches(p, t, 0.5f, 0, cut)
                    + MetricKernels.thresholdMatches(p, t, 0.5f, cut, n));
            assertEquals(abs, MetricKernels.sumAbsoluteError(p, t, 0, cut)
                    + MetricKernels.sumAbsoluteError(p, t, cut, n), 1e-12 * abs);
        }
    }

    @Test
    void thresholdComparesWithTheTargetValue() {
        float[] pred = {0.9f, 0.1f, 0.7f, 0.3f, 0.5f};
        float[] target = {1f, 0f, 0f, 1f, 0f};
        try (Arena arena = Arena.ofConfined()) {
            // Hits: 0.9→1=1, 0.1→0=0, 0.5→0=0; misses: 0.7→1≠0, 0.3→0≠1.
            assertEquals(3, MetricKernels.thresholdMatches(segment(arena, pred), segment(arena, target), 0.5f, 0, 5));
            // A threshold of 0.8 turns the 0.7 miss into a hit.
            assertEquals(4, MetricKernels.thresholdMatches(segment(arena, pred), segment(arena, target), 0.8f, 0, 5));
        }
    }

    private static int firstMax(float[] x, int row, int cols) {
        int best = 0;
        for (int j = 1; j < cols; j++) {
            if (x[row * cols + j] > x[row * cols + best]) {
                best = j;
            }
        }
        return best;
    }
}
