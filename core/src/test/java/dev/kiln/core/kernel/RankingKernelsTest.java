package dev.kiln.core.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Top-k matches and threshold histograms against plain references written from the definitions. */
class RankingKernelsTest {

    /** Outputs drawn from a few levels so that ties are common. */
    private static float[][] tiedRows(Random r, int rows, int cols) {
        float[][] p = new float[rows][cols];
        for (float[] row : p) {
            for (int j = 0; j < cols; j++) {
                row[j] = r.nextInt(7) / 6f;
            }
        }
        return p;
    }

    private static MemorySegment flat(Arena arena, float[][] rows) {
        int cols = rows[0].length;
        float[] all = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, all, i * cols, cols);
        }
        return TestBuffers.of(arena, all);
    }

    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {1, 2, 3, 7, 10, 17})
    void topKMatchesTheDefinition(int cols) {
        Random r = new Random(cols);
        int rows = 41;
        float[][] p = tiedRows(r, rows, cols);
        float[] labels = new float[rows];
        float[][] oneHot = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            int c = r.nextInt(cols);
            labels[i] = c;
            oneHot[i][c] = 1f;
        }
        try (Arena arena = Arena.ofConfined()) {
            for (int k = 1; k <= cols + 1; k++) {
                long expected = 0;
                for (int i = 0; i < rows; i++) {
                    // In the top k: fewer than k outputs strictly above the label's.
                    int above = 0;
                    for (int j = 0; j < cols; j++) {
                        above += p[i][j] > p[i][(int) labels[i]] ? 1 : 0;
                    }
                    expected += above < k ? 1 : 0;
                }
                assertEquals(expected, RankingKernels.topKMatchesLabels(flat(arena, p), TestBuffers.of(arena, labels),
                        cols, k, 0, rows), "labels, k " + k);
                assertEquals(expected, RankingKernels.topKMatchesOneHot(flat(arena, p), flat(arena, oneHot), cols, k, 0,
                        rows), "one-hot, k " + k);
            }
        }
    }

    @ParameterizedTest(name = "cols {0}")
    @ValueSource(ints = {1, 3, 10, 13})
    void thresholdHistogramMatchesCountingEveryThreshold(int cols) {
        Random r = new Random(100 + cols);
        int rows = 29;
        float[][] p = tiedRows(r, rows, cols);
        float[] labels = new float[rows];
        float[][] dense = new float[rows][cols];
        for (int i = 0; i < rows; i++) {
            labels[i] = r.nextInt(cols);
            for (int j = 0; j < cols; j++) {
                dense[i][j] = cols == 1 ? r.nextInt(2) : (j == (int) labels[i] ? 1f : 0f);
            }
        }
        float[] thresholds = {-1e-7f, 1 / 6f, 0.3f, 0.5f, 5 / 6f, 1f};
        try (Arena arena = Arena.ofConfined()) {
            for (boolean sparse : cols == 1 ? new boolean[] {false} : new boolean[] {false, true}) {
                for (int column = -1; column < Math.min(cols, 3); column++) {
                    for (int topK = 0; topK <= Math.min(cols, 3); topK++) {
                        double[] expected = reference(p, sparse ? null : dense, labels, thresholds, column, topK);
                        double[] actual = new double[expected.length + 3];
                        RankingKernels.thresholdHistogram(flat(arena, p), sparse ? TestBuffers.of(arena, labels)
                                : flat(arena, dense), cols, sparse, column, topK, thresholds, actual, 3, 0, rows);
                        double[] shifted = new double[expected.length];
                        System.arraycopy(actual, 3, shifted, 0, expected.length);
                        assertArrayEquals(expected, shifted, "sparse " + sparse + " column " + column + " topK " + topK);
                    }
                }
            }
        }
    }

    /** Per element: positive or not, in the row's k first (by value, then lower column) or not, thresholds exceeded. */
    private static double[] reference(float[][] p, float[][] dense, float[] labels, float[] thresholds, int column,
            int topK) {
        int t = thresholds.length;
        double[] out = new double[2 * (t + 1)];
        for (int i = 0; i < p.length; i++) {
            int cols = p[i].length;
            for (int j = 0; j < cols; j++) {
                if (column >= 0 && j != column) {
                    continue;
                }
                boolean positive = dense == null ? j == (int) labels[i] : dense[i][j] != 0f;
                boolean kept = true;
                if (topK > 0) {
                    Integer[] order = new Integer[cols];
                    for (int c = 0; c < cols; c++) {
                        order[c] = c;
                    }
                    final float[] row = p[i];
                    java.util.Arrays.sort(order, (a, b) -> row[a] != row[b] ? Float.compare(row[b], row[a]) : a - b);
                    kept = false;
                    for (int c = 0; c < topK; c++) {
                        kept |= order[c] == j;
                    }
                }
                int exceeded = 0;
                for (float th : thresholds) {
                    exceeded += kept && p[i][j] > th ? 1 : 0;
                }
                out[(positive ? 0 : t + 1) + exceeded]++;
            }
        }
        return out;
    }
}
