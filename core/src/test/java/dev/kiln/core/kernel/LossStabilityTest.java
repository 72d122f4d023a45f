package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.LossTestBuffers.floats;
import static dev.kiln.core.kernel.LossTestBuffers.segment;
import static dev.kiln.core.kernel.LossTestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The logit losses stay finite and exact for logits where a naive exp overflows (|z| ≥ 89 in float). */
class LossStabilityTest {

    @ParameterizedTest(name = "±{0}")
    @ValueSource(floats = {88f, 100f, 1e4f})
    void softmaxCrossEntropyOfExtremeLogits(float big) {
        float[] z = {big, -big, 0f, big - 1f};
        float[] t = {0f, 1f, 0f, 0f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prob = zeros(arena, 4);
            MemorySegment grad = zeros(arena, 4);
            double loss = LossKernels.softmaxCrossEntropy(segment(arena, z), segment(arena, t), 0f, prob, grad, 4, 1f, 0, 1);
            // Analytically: −log softmax_1 = logsumexp(z) − z_1 = 2·big + log(1 + e^−big + e^−1).
            double expected = 2.0 * big + Math.log1p(Math.exp(-big) + Math.exp(-1));
            assertEquals(expected, loss, 1e-12 * expected);
            double s = 1 + Math.exp(-1) + Math.exp(-big);
            double[] softmax = {1 / s, Math.exp(-2.0 * big) / s, Math.exp(-(double) big) / s, Math.exp(-1) / s};
            LossTestBuffers.assertClose(softmax, floats(prob), 1e-6, 1e-45, "softmax");
            double[] g = {softmax[0], softmax[1] - 1, softmax[2], softmax[3]};
            LossTestBuffers.assertClose(g, floats(grad), 1e-6, 1e-45, "gradient");

            double sparse = LossKernels.sparseSoftmaxCrossEntropy(segment(arena, z), segment(arena, new float[] {1f}),
                    null, grad, 4, 1f, 0, 1);
            assertEquals(expected, sparse, 1e-12 * expected);
            LossTestBuffers.assertClose(g, floats(grad), 1e-6, 1e-45, "sparse gradient");
        }
    }

    @ParameterizedTest(name = "±{0}")
    @ValueSource(floats = {88f, 100f, 1e4f})
    void sigmoidBinaryCrossEntropyOfExtremeLogits(float big) {
        float[] z = {big, -big, big, -big};
        float[] t = {1f, 0f, 0f, 1f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment prob = zeros(arena, 4);
            MemorySegment grad = zeros(arena, 4);
            double loss = LossKernels.sigmoidBinaryCrossEntropy(segment(arena, z), segment(arena, t), 0f, prob, grad, 4,
                    1f, 0, 1);
            // Right answers cost log(1 + e^−big) each; wrong ones big + log(1 + e^−big).
            double small = Math.log1p(Math.exp(-(double) big));
            double expected = (2 * small + 2 * (big + small)) / 4;
            assertEquals(expected, loss, 1e-12 * expected);
            double sigmaLow = Math.exp(-(double) big) / (1 + Math.exp(-(double) big));
            double sigmaHigh = 1 / (1 + Math.exp(-(double) big));
            double[] sigma = {sigmaHigh, sigmaLow, sigmaHigh, sigmaLow};
            LossTestBuffers.assertClose(sigma, floats(prob), 1e-6, 1e-45, "sigmoid");
            double[] g = {(sigmaHigh - 1) / 4, sigmaLow / 4, sigmaHigh / 4, (sigmaLow - 1) / 4};
            LossTestBuffers.assertClose(g, floats(grad), 1e-6, 1e-45, "gradient");
            for (float v : floats(grad)) {
                assertTrue(Float.isFinite(v));
            }
        }
    }

    /** cosh overflows a double past |e| ≈ 710; the stable form gives |e| − log 2 and gradient ±1 there. */
    @ParameterizedTest(name = "±{0}")
    @ValueSource(floats = {88f, 800f, 1e30f})
    void logCoshOfExtremeErrors(float big) {
        float[] p = {big, -big, 1e-4f};
        float[] t = {0f, 0f, 0f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment grad = zeros(arena, 3);
            double loss = LossKernels.logCosh(segment(arena, p), segment(arena, t), grad, 3, 1f, 0, 1);
            // log cosh e = e²/2 − e⁴/12 + … for small e.
            double small = 0.5 * 1e-4f * 1e-4f - Math.pow(1e-4f, 4) / 12;
            double expected = (2 * ((double) big - Math.log(2)) + small) / 3;
            assertEquals(expected, loss, 1e-12 * expected);
            LossTestBuffers.assertClose(new double[] {1.0 / 3, -1.0 / 3, Math.tanh(1e-4f) / 3}, floats(grad), 1e-6,
                    0, "gradient");
        }
    }
}
