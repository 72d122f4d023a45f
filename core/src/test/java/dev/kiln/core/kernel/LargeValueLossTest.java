package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.LossTestBuffers.floats;
import static dev.kiln.core.kernel.LossTestBuffers.segment;
import static dev.kiln.core.kernel.LossTestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Squared and absolute errors of values whose squares float cannot hold (|d| > 1.8e19): the kernels
 * widen to double before squaring, so loss and metric sums match a double reference and stay finite.
 */
class LargeValueLossTest {
    @ParameterizedTest(name = "scale {0}")
    @ValueSource(floats = {1e19f, 1e20f, 1e30f, 1e38f})
    void squaredErrorOfHugeDifferencesMatchesDouble(float scale) {
        Random random = new Random(9);
        int rows = 5;
        int cols = 19; // odd, so the masked tail runs
        float[] p = new float[rows * cols];
        float[] t = new float[rows * cols];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) (random.nextGaussian() * scale);
            t[i] = (float) (random.nextGaussian() * scale);
        }
        double squares = 0;
        double absolutes = 0;
        for (int i = 0; i < p.length; i++) {
            double d = (double) p[i] - t[i];
            squares += d * d;
            absolutes += Math.abs(d);
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment pred = segment(arena, p);
            MemorySegment target = segment(arena, t);
            MemorySegment grad = zeros(arena, p.length);
            // gradScale small enough that 2(p − t)/cols · scale stays inside float for every scale here.
            float gradScale = 1e-3f;
            double mse = LossKernels.meanSquaredError(pred, target, grad, cols, gradScale, 0, rows);
            assertEquals(squares / cols, mse, 1e-12 * squares / cols);
            assertTrue(Double.isFinite(mse));
            float[] g = floats(grad);
            for (int i = 0; i < p.length; i++) {
                double expected = 2.0 * ((double) p[i] - t[i]) * gradScale / cols;
                assertEquals(expected, g[i], 1e-6 * Math.abs(expected) + Float.MIN_VALUE, "gradient " + i);
            }
            assertEquals(squares, MetricKernels.sumSquaredError(pred, target, 0, p.length), 1e-12 * squares);
            assertEquals(absolutes, MetricKernels.sumAbsoluteError(pred, target, 0, p.length), 1e-12 * absolutes);
            double mae = LossKernels.meanAbsoluteError(pred, target, null, cols, 1f, 0, rows);
            assertEquals(absolutes / cols, mae, 1e-12 * absolutes / cols);
        }
    }
}
