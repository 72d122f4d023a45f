package dev.kiln.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Layer and batch normalization kernels against plain double references on odd shapes. */
class NormalizationKernelsTest {
    private static final float EPS = 1e-3f;

    private static void assertClose(double expected, float actual, String what) {
        assertEquals(expected, actual, 2e-5 * (1 + Math.abs(expected)), what);
    }

    @ParameterizedTest(name = "rows {0}, cols {1}, affine {2}")
    @CsvSource({"1, 1, true", "3, 7, true", "5, 16, false", "9, 17, true", "4, 33, true", "2, 100, false"})
    void layerNormForwardAndBackward(int rows, int cols, boolean affine) {
        Random r = new Random(rows * 31L + cols);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = TestBuffers.uniform(arena, r, (long) rows * cols, -3f, 2f);
            MemorySegment gamma = affine ? TestBuffers.uniform(arena, r, cols, 0.5f, 1.5f) : null;
            MemorySegment beta = affine ? TestBuffers.uniform(arena, r, cols, -1f, 1f) : null;
            MemorySegment dy = TestBuffers.uniform(arena, r, (long) rows * cols, -1f, 1f);
            MemorySegment y = TestBuffers.zeros(arena, (long) rows * cols);
            MemorySegment stats = TestBuffers.zeros(arena, 2L * rows);
            MemorySegment dx = TestBuffers.zeros(arena, (long) rows * cols);
            MemorySegment dGamma = TestBuffers.zeros(arena, cols);
            MemorySegment dBeta = TestBuffers.zeros(arena, cols);
            NormalizationKernels.layerNormForward(x, gamma, beta, y, stats, cols, EPS, 0, rows);
            NormalizationKernels.layerNormBackwardInput(x, gamma, dy, stats, dx, cols, 0, rows);
            NormalizationKernels.layerNormParameterGradients(x, stats, dy, dGamma, dBeta, cols, rows);
            double[] refDGamma = new double[cols];
            double[] refDBeta = new double[cols];
            for (int i = 0; i < rows; i++) {
                double mean = 0;
                for (int j = 0; j < cols; j++) {
                    mean += TestBuffers.get(x, (long) i * cols + j);
                }
                mean /= cols;
                double var = 0;
                for (int j = 0; j < cols; j++) {
                    double d = TestBuffers.get(x, (long) i * cols + j) - mean;
                    var += d * d;
                }
                var /= cols;
                double inv = 1 / Math.sqrt(var + EPS);
                double[] xhat = new double[cols];
                double[] g = new double[cols];
                double meanG = 0;
                double meanGX = 0;
                for (int j = 0; j < cols; j++) {
                    long e = (long) i * cols + j;
                    xhat[j] = (TestBuffers.get(x, e) - mean) * inv;
                    double gj = affine ? TestBuffers.get(gamma, j) : 1;
                    double bj = affine ? TestBuffers.get(beta, j) : 0;
                    assertClose(gj * xhat[j] + bj, TestBuffers.get(y, e), "y " + e);
                    g[j] = TestBuffers.get(dy, e) * gj;
                    meanG += g[j] / cols;
                    meanGX += g[j] * xhat[j] / cols;
                    refDGamma[j] += TestBuffers.get(dy, e) * xhat[j];
                    refDBeta[j] += TestBuffers.get(dy, e);
                }
                for (int j = 0; j < cols; j++) {
                    assertClose(inv * (g[j] - meanG - xhat[j] * meanGX), TestBuffers.get(dx, (long) i * cols + j), "dx");
                }
            }
            for (int j = 0; j < cols; j++) {
                assertClose(refDGamma[j], TestBuffers.get(dGamma, j), "dgamma " + j);
                assertClose(refDBeta[j], TestBuffers.get(dBeta, j), "dbeta " + j);
            }
        }
    }

    @ParameterizedTest(name = "rows {0}, cols {1}, affine {2}")
    @CsvSource({"1, 1, true", "3, 7, true", "5, 16, false", "9, 17, true", "32, 33, true", "2, 100, false"})
    void batchNormForwardAndBackward(int rows, int cols, boolean affine) {
        Random r = new Random(rows * 17L + cols);
        float momentum = 0.9f;
        try (Arena arena = Arena.ofConfined()) {
            long n = (long) rows * cols;
            MemorySegment x = TestBuffers.uniform(arena, r, n, -2f, 3f);
            MemorySegment gamma = affine ? TestBuffers.uniform(arena, r, cols, 0.5f, 1.5f) : null;
            MemorySegment beta = affine ? TestBuffers.uniform(arena, r, cols, -1f, 1f) : null;
            MemorySegment dy = TestBuffers.uniform(arena, r, n, -1f, 1f);
            MemorySegment movingMean = TestBuffers.uniform(arena, r, cols, -1f, 1f);
            MemorySegment movingVar = TestBuffers.uniform(arena, r, cols, 0.5f, 2f);
            MemorySegment mm0 = TestBuffers.copy(arena, movingMean);
            MemorySegment mv0 = TestBuffers.copy(arena, movingVar);
            MemorySegment mean = TestBuffers.zeros(arena, cols);
            MemorySegment var = TestBuffers.zeros(arena, cols);
            MemorySegment inv = TestBuffers.zeros(arena, cols);
            MemorySegment scale = TestBuffers.zeros(arena, cols);
            MemorySegment shift = TestBuffers.zeros(arena, cols);
            MemorySegment sumDy = TestBuffers.zeros(arena, cols);
            MemorySegment sumDyXhat = TestBuffers.zeros(arena, cols);
            MemorySegment y = TestBuffers.zeros(arena, n);
            MemorySegment dx = TestBuffers.zeros(arena, n);
            NormalizationKernels.columnMoments(x, mean, var, cols, rows);
            NormalizationKernels.affineFromMoments(mean, var, gamma, beta, EPS, inv, scale, shift, cols);
            NormalizationKernels.applyAffine(x, scale, shift, y, cols, 0, rows);
            NormalizationKernels.updateMoving(movingMean, mean, momentum, cols, true);
            NormalizationKernels.updateMoving(movingVar, var, momentum, cols, true);
            NormalizationKernels.batchNormReductions(x, dy, mean, inv, sumDy, sumDyXhat, cols, rows);
            NormalizationKernels.batchNormBackwardInput(x, dy, gamma, mean, inv, sumDy, sumDyXhat, dx, cols, rows, 0, rows);
            for (int j = 0; j < cols; j++) {
                double mu = 0;
                for (int i = 0; i < rows; i++) {
                    mu += TestBuffers.get(x, (long) i * cols + j);
                }
                mu /= rows;
                double v = 0;
                for (int i = 0; i < rows; i++) {
                    double d = TestBuffers.get(x, (long) i * cols + j) - mu;
                    v += d * d;
                }
                v /= rows;
                double is = 1 / Math.sqrt(v + EPS);
                double gj = affine ? TestBuffers.get(gamma, j) : 1;
                double bj = affine ? TestBuffers.get(beta, j) : 0;
                assertClose(TestBuffers.get(mm0, j) * momentum + mu * (1 - momentum), TestBuffers.get(movingMean, j), "mm");
                assertClose(TestBuffers.get(mv0, j) * momentum + v * (1 - momentum), TestBuffers.get(movingVar, j), "mv");
                double sDy = 0;
                double sDyX = 0;
                for (int i = 0; i < rows; i++) {
                    long e = (long) i * cols + j;
                    double xhat = (TestBuffers.get(x, e) - mu) * is;
                    assertClose(gj * xhat + bj, TestBuffers.get(y, e), "y " + e);
                    sDy += TestBuffers.get(dy, e);
                    sDyX += TestBuffers.get(dy, e) * xhat;
                }
                assertClose(sDy, TestBuffers.get(sumDy, j), "dbeta " + j);
                assertClose(sDyX, TestBuffers.get(sumDyXhat, j), "dgamma " + j);
                for (int i = 0; i < rows; i++) {
                    long e = (long) i * cols + j;
                    double xhat = (TestBuffers.get(x, e) - mu) * is;
                    double ref = gj * is * (TestBuffers.get(dy, e) - sDy / rows - xhat * sDyX / rows);
                    assertClose(ref, TestBuffers.get(dx, e), "dx " + e);
                }
            }
        }
    }
}
