package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.LossTestBuffers.floats;
import static dev.kiln.core.kernel.LossTestBuffers.segment;
import static dev.kiln.core.kernel.LossTestBuffers.zeros;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference checks of every loss kernel's gradient, through the kernel itself: the loss is
 * summed in double, so central differences over the actual (float) perturbed inputs are accurate to
 * far better than the float gradient they check.
 */
class LossGradientTest {
    static Stream<Arguments> cases() {
        return LossCase.all().stream().flatMap(c -> Stream.of(1, 7, 17).map(cols -> Arguments.of(c, cols)));
    }

    @ParameterizedTest(name = "{0} cols {1}")
    @MethodSource("cases")
    void gradientMatchesCentralDifferences(LossCase c, int cols) {
        int rows = 3;
        Random random = new Random(97 + cols);
        float[] in = c.inputs().draw(random, rows * cols);
        if (c.name().equals("mae") || c.name().equals("mape")) {
            nudgeAwayFromTargets(in);
        }
        float[] labels = LossTestBuffers.labels(random, rows, cols);
        float[] target = c.sparse() ? labels : c.name().startsWith("ma") ? new float[rows * cols]
                : c.denseTargets(random, rows, cols);
        assertGradientMatches(c, in, target, rows, cols);
    }

    /** Probabilities just inside the clip range still carry the exact gradient. */
    @Test
    void binaryCrossEntropyNearTheClipBounds() {
        float[] p = {1e-5f, 0.99999f, 3e-6f, 0.5f};
        float[] t = {1f, 0f, 0.3f, 1f};
        LossCase bce = named("bce");
        assertGradientMatches(bce, p, t, 1, 4);
    }

    /** A category whose normalised probability sits just above the clip still gets its gradient. */
    @Test
    void categoricalCrossEntropyNearTheClipBound() {
        float[] p = {3e-6f, 0.4f, 0.6f, 2f};
        float[] t = {0.5f, 0.2f, 0f, 0.3f};
        assertGradientMatches(named("cce"), p, t, 1, 4);
        assertGradientMatches(named("sparse cce"), p, new float[] {0f}, 1, 4);
    }

    @Test
    void gradientIsZeroWhereTheProbabilityWasClipped() {
        float[] p = {0f, 1e-9f, 1f, 0.999999999f, 0.3f};
        float[] t = {1f, 0f, 0f, 1f, 1f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment grad = zeros(arena, 5);
            double loss = LossKernels.binaryCrossEntropy(segment(arena, p), segment(arena, t), 0f, grad, 5, 1f, 0, 1);
            float[] g = floats(grad);
            for (int j = 0; j < 4; j++) {
                assertEquals(0f, g[j], "clipped element " + j);
            }
            assertTrue(g[4] < 0, "the unclipped element keeps its gradient");
            // The clipped terms cost −log(1e-7f), −log(1 − 1e-7f)… exactly as the clip defines them.
            double expected = (-Math.log(LossReference.LOW) - Math.log(1 - LossReference.LOW)
                    - Math.log(1 - LossReference.HIGH) - Math.log(LossReference.HIGH) - Math.log(0.3f)) / 5;
            assertEquals(expected, loss, 1e-12 * expected);
        }
        // Category 0 normalises to q ≈ 1e-10, below the clip: no gradient flows through it, so the
        // row's gradient is the one of the remaining terms alone.
        float[] probs = {1e-10f, 0.25f, 0.75f};
        float[] soft = {0.5f, 0.5f, 0f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment grad = zeros(arena, 3);
            LossKernels.categoricalCrossEntropy(segment(arena, probs), segment(arena, soft), 0f, grad, 3, 1f, 0, 1);
            double[] ref = new double[3];
            LossReference.cce(probs, soft, 0, 3, ref);
            double s = 1e-10 + 1.0;
            // By hand: ∂/∂p_j of −0.5·log q_1 with q_1 = p_1/S is (0.5 − 0.5·[j = 1]/q_1)/S.
            double[] byHand = {0.5 / s, (0.5 - 0.5 / (0.25 / s)) / s, 0.5 / s};
            LossTestBuffers.assertClose(byHand, floats(grad), 1e-6, 0, "cce with a clipped category");
            LossTestBuffers.assertClose(ref, floats(grad), 1e-6, 0, "cce reference");
        }
        // Sparse: the label's own probability clipped means no gradient at all.
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment grad = segment(arena, new float[] {9f, 9f, 9f});
            LossKernels.sparseCategoricalCrossEntropy(segment(arena, probs), segment(arena, new float[] {0f}), grad,
                    3, 1f, 0, 1);
            for (float g : floats(grad)) {
                assertEquals(0f, g);
            }
        }
    }

    private static LossCase named(String name) {
        return LossCase.all().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
    }

    /** |x| ≥ 0.05 keeps the MAE kink at 0 out of reach of the difference step. */
    private static void nudgeAwayFromTargets(float[] in) {
        for (int k = 0; k < in.length; k++) {
            if (Math.abs(in[k]) < 0.05f) {
                in[k] = in[k] < 0 ? -0.05f - in[k] : 0.05f + in[k];
            }
        }
    }

    private static void assertGradientMatches(LossCase c, float[] in, float[] target, int rows, int cols) {
        float scale = 1f / rows;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = segment(arena, in);
            MemorySegment t = segment(arena, target);
            MemorySegment grad = zeros(arena, rows * cols);
            c.kernel().run(x, t, null, grad, cols, scale, 0, rows);
            float[] analytic = floats(grad);
            double maxGrad = 0;
            for (float g : analytic) {
                maxGrad = Math.max(maxGrad, Math.abs(g));
            }
            for (int k = 0; k < in.length; k++) {
                // A step relative to the distance from 0 and 1 keeps probabilities inside the clip range.
                float h = Math.max(Math.abs(in[k]) * 1e-3f, 1e-4f);
                float nearest = Math.min(Math.abs(in[k]), Math.abs(1f - in[k]));
                if (nearest < 1e-2f) {
                    h = nearest * 1e-2f;
                }
                float plus = in[k] + h;
                float minus = in[k] - h;
                x.setAtIndex(JAVA_FLOAT, k, plus);
                double up = c.kernel().run(x, t, null, null, cols, scale, 0, rows) * scale;
                x.setAtIndex(JAVA_FLOAT, k, minus);
                double down = c.kernel().run(x, t, null, null, cols, scale, 0, rows) * scale;
                x.setAtIndex(JAVA_FLOAT, k, in[k]);
                double numeric = (up - down) / ((double) plus - minus);
                double tolerance = 2e-3 * Math.abs(numeric) + 1e-5 * maxGrad;
                assertEquals(numeric, analytic[k], tolerance, c + " element " + k);
            }
        }
    }
}
