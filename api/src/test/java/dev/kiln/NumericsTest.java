package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.optimizers.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 5's numerics, end to end through Model: cross-entropies of logits ±1e4 stay finite and exact,
 * mse of targets far beyond float's square root does not overflow, and a loss that goes NaN or
 * infinite stops fit, naming the epoch and batch, with the weights from before that batch kept.
 */
class NumericsTest {
    private static final float BIG = 1e4f;

    @Test
    void softmaxCrossEntropyOfLogitsPlusMinus1e4() {
        try (Model model = Sequential.of(Input(2), Dense(3, "softmax")).compile(new SGD(1e-6), "sparse_categorical_crossentropy")) {
            // logits = x·kernel: row {1, 0} gives [1e4, −1e4, 0], row {0, 1} gives [−1e4, 1e4, 1e4 − 1].
            model.setWeights(List.of(new float[] {BIG, -BIG, 0, -BIG, BIG, BIG - 1}, new float[3]));
            float[][] x = {{1, 0}, {0, 1}};
            int[] y = {1, 0};
            // −log softmax: row 0, label 1: 2e4 + log(1 + 2e^−1e4); row 1, label 0: 2e4 + log(1 + e^−1).
            double expected = (2.0 * BIG + (2.0 * BIG + Math.log1p(Math.exp(-1))) ) / 2;
            double loss = model.evaluate(x, y).get("loss");
            assertEquals(expected, loss, 1e-9 * expected);
            float[][] p = model.predict(x);
            assertArrayEquals(new float[] {1, 0, 0}, p[0], 1e-6f);
            double s = 1 + Math.exp(-1);
            assertArrayEquals(new float[] {0, (float) (1 / s), (float) (Math.exp(-1) / s)}, p[1], 1e-6f);
            History h = model.fit(x, y, epochs(1), batchSize(2), shuffle(false), verbose(0));
            assertEquals(expected, h.last("loss"), 1e-9 * expected, "the loss fit reports is the one before its update");
            for (float[] w : model.getWeights()) {
                for (float v : w) {
                    assertTrue(Float.isFinite(v));
                }
            }
        }
    }

    @Test
    void sigmoidBinaryCrossEntropyOfLogitsPlusMinus1e4() {
        try (Model model = Sequential.of(Input(1), Dense(1, "sigmoid")).compile(new SGD(1e-6), "binary_crossentropy")) {
            model.setWeights(List.of(new float[] {BIG}, new float[1]));
            float[][] x = {{1}, {-1}, {1}, {-1}};
            float[][] y = {{1}, {0}, {0}, {1}};
            // Right answers cost log(1 + e^−1e4) ≈ 0, wrong ones 1e4: mean 5e3, exactly, from the logits.
            double loss = model.evaluate(x, y).get("loss");
            assertEquals(BIG / 2.0, loss, 1e-9 * BIG);
            History h = model.fit(x, y, epochs(1), batchSize(4), verbose(0));
            assertEquals(BIG / 2.0, h.last("loss"), 1e-9 * BIG);
            assertTrue(Float.isFinite(model.getWeights().get(0)[0]));
        }
        // Not fused (a Dropout stands between the sigmoid and the loss): the probabilities are clipped to
        // [1e-7, 1 − 1e-7] as in Keras, so a wrong answer costs −log(1e-7) and nothing becomes infinite.
        try (Model model = Sequential.of(Input(1), Dense(1, "sigmoid"), Dropout(0.0))
                .compile(new SGD(1e-6), "binary_crossentropy")) {
            model.setWeights(List.of(new float[] {BIG}, new float[1]));
            double loss = model.evaluate(new float[][] {{1}, {-1}}, new float[][] {{0}, {1}}).get("loss");
            // Row 0: p = 1 clipped to 1 − 1e-7 (in float), target 0; row 1: p = 0 clipped to 1e-7, target 1.
            double clippedHigh = 1f - 1e-7f;
            double clippedLow = 1e-7f;
            assertEquals((-Math.log1p(-clippedHigh) - Math.log(clippedLow)) / 2, loss, 1e-6 * loss);
            model.fit(new float[][] {{1}, {-1}}, new float[][] {{0}, {1}}, verbose(0));
            assertTrue(Float.isFinite(model.getWeights().get(0)[0]));
        }
    }

    /** 1e20² = 1e40 is beyond float (max 3.4e38): the loss must be summed in double, as the reference is. */
    @Test
    void meanSquaredErrorOfLargeTargetsDoesNotOverflow() {
        float[][] x = {{1}, {2}, {3}};
        float[][] y = {{1e20f, -3e19f}, {2.5e20f, 0}, {-1e20f, 7e19f}};
        try (Model model = Sequential.of(Input(1), Dense(2)).compile(new SGD(1e-30), "mse", "mse", "mae")) {
            model.setWeights(List.of(new float[] {0.5f, -0.25f}, new float[] {1, 2}));
            float[][] p = model.predict(x);
            double squares = 0;
            double absolutes = 0;
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 2; j++) {
                    double d = (double) p[i][j] - y[i][j];
                    squares += d * d;
                    absolutes += Math.abs(d);
                }
            }
            double reference = squares / 6;
            Map<String, Double> scores = model.evaluate(x, y);
            assertEquals(reference, scores.get("loss"), 1e-12 * reference);
            assertEquals(reference, scores.get("mse"), 1e-12 * reference);
            assertEquals(absolutes / 6, scores.get("mae"), 1e-12 * absolutes / 6);
            History h = model.fit(x, y, epochs(1), batchSize(3), verbose(0));
            assertEquals(reference, h.last("loss"), 1e-12 * reference);
        }
        // Targets near float's maximum: the loss (≈ 1e77) is still exact in evaluation.
        try (Model model = Sequential.of(Input(1), Dense(1)).compile("sgd", "mse")) {
            model.setWeights(List.of(new float[] {0}, new float[] {0}));
            double loss = model.evaluate(new float[][] {{1}}, new float[][] {{3e38f}}).get("loss");
            assertEquals((double) 3e38f * 3e38f, loss, 1e-12 * loss);
        }
    }

    /**
     * Gradient descent with a far too large rate diverges. With one batch per epoch, the epoch that fails
     * is the step that fails, so a fresh model trained for exactly that many epochs must hold the same
     * weights bit for bit as the one that stopped: the failed batch changed nothing.
     */
    @Test
    void aLossThatBecomesNonFiniteStopsFitAndKeepsTheWeightsFromBeforeThatBatch() {
        float[][] x = {{1, 2}, {2, 1}, {-1, 3}, {0.5f, -2}};
        float[][] y = {{3}, {-1}, {2}, {0}};
        NonFiniteLossException e;
        List<float[]> kept;
        long steps;
        try (Model model = divergingModel()) {
            e = assertThrows(NonFiniteLossException.class, () -> model.fit(x, y, epochs(1000), batchSize(4), verbose(0)));
            kept = model.getWeights();
            steps = model.iterations();
            for (float[] w : kept) {
                for (float v : w) {
                    assertTrue(Float.isFinite(v), "the kept weights are finite: " + v);
                }
            }
            model.predict(x); // still usable
        }
        assertTrue(e.epoch() > 0, "diverges only after some steps: " + e.getMessage());
        assertEquals(0, e.batch());
        assertEquals(e.epoch(), steps, "every epoch before the failing one made exactly one update");
        String m = e.getMessage();
        assertTrue(m.contains("epoch " + (e.epoch() + 1) + "/1000") && m.contains("batch 1/1"), m);
        assertTrue(m.contains("weights from before"), m);
        assertNotNull(e.getCause());
        try (Model replay = divergingModel()) {
            replay.fit(x, y, epochs(e.epoch()), batchSize(4), verbose(0));
            for (int p = 0; p < kept.size(); p++) {
                assertArrayEquals(replay.getWeights().get(p), kept.get(p), "parameter " + p);
            }
        }
    }

    private static Model divergingModel() {
        Kiln.setSeed(11);
        return Sequential.of(Input(2), Dense(8, "relu"), Dense(1)).compile(new SGD(50.0), "mse");
    }

    /**
     * A loss that is finite while a gradient overflows (dW = h·dY with h = 1e38): the step stops before
     * the update instead of writing ∞ into the kernel, and the message names that parameter.
     */
    @Test
    void aGradientThatOverflowsStopsTheStepBeforeItsUpdate() {
        try (Model model = Sequential.of(Input(1), Dense(1), Dense(1)).compile(new SGD(1e-3), "mse")) {
            model.setWeights(List.of(new float[] {1e38f}, new float[] {0}, new float[] {1e-38f}, new float[] {0}));
            ModelState before = ModelState.of(model);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> model.fit(new float[][] {{1}}, new float[][] {{-1e5f}}, verbose(0)));
            assertTrue(Double.isFinite(e.loss()), e.getMessage());
            assertTrue(e.getMessage().contains("dense_1/kernel") && e.getMessage().contains("epoch 1/1, batch 1/1"),
                    e.getMessage());
            ModelState.of(model).assertSameAs(before, "after the refused step");
        }
    }

    /**
     * A finite loss (1e40 in double) and finite gradients (2e20) whose Adam update would not be finite:
     * the second moment 0.001·(2e20)² overflows float. The step is refused before it writes, so no slot
     * holds an infinity that would freeze its weight for the rest of training.
     */
    @Test
    void anUpdateThatWouldOverflowTheOptimizerStateIsRefusedBeforeItRuns() {
        try (Model model = Sequential.of(Input(1), Dense(1)).compile("adam", "mse")) {
            ModelState before = ModelState.of(model);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> model.fit(new float[][] {{1}}, new float[][] {{-1e20f}}, verbose(0)));
            assertTrue(Double.isFinite(e.loss()), e.getMessage());
            assertTrue(e.getMessage().startsWith("the optimizer's update would have made dense/kernel or its optimizer"
                    + " state non-finite"), e.getMessage());
            ModelState.of(model).assertSameAs(before, "after the refused step");
        }
    }

    @Test
    void aNaNLossLeavesOptimizerStateAndStepCountUntouched() {
        Kiln.setSeed(2);
        try (Model model = Sequential.of(Input(2), Dense(3, "tanh"), Dense(1)).compile("adam", "mse")) {
            float[][] x = {{1, 2}, {3, 4}};
            model.fit(x, new float[][] {{1}, {2}}, epochs(3), verbose(0));
            ModelState before = ModelState.of(model);
            // Weights that overflow the forward pass: the output is ±∞, so the loss is too.
            List<float[]> huge = model.getWeights();
            huge.set(0, new float[] {1, 1, 1, 1, 1, 1}); // every hidden unit tanh(200) = 1
            huge.set(1, new float[3]);
            huge.set(2, new float[] {3e38f, 3e38f, 3e38f}); // 3 · 3e38 overflows float
            model.setWeights(huge);
            ModelState poisoned = ModelState.of(model);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class,
                    () -> model.fit(new float[][] {{100, 100}, {100, 100}}, new float[][] {{1}, {2}}, verbose(0)));
            assertTrue(Double.isInfinite(e.loss()) || Double.isNaN(e.loss()), e.getMessage());
            ModelState.of(model).assertSameAs(poisoned, "after the NaN batch");
            assertEquals(before.iterations(), model.iterations());
        }
    }
}
