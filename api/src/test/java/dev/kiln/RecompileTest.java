package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.Callback;
import dev.kiln.callbacks.LearningRateScheduler;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.Metrics;
import dev.kiln.metrics.Precision;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** compile on a model that has weights, as Keras 3 does it; and the learning rate the optimizer reports. */
class RecompileTest {
    private static final float[][] X = {{1f, 0.5f}, {-1f, 2f}, {0.25f, -0.75f}, {2f, 1f}};
    private static final int[] Y = {0, 1, 1, 0};

    private static Model classifier() {
        return Sequential.of(Input(2), Dense(4, "relu"), Dense(2, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    @Test
    void compileAgainKeepsTheWeightsAndStartsTheOptimizerAfresh() {
        try (Model m = classifier()) {
            m.fit(X, Y, epochs(3), batchSize(2), verbose(0));
            List<float[]> trained = m.getWeights();
            m.compile(new Adam(0.01), "sparse_categorical_crossentropy", "accuracy");
            assertEquals(0, m.iterations(), "Keras 3: a new optimizer starts at step 0");
            assertEquals(0.01, m.learningRate(), 1e-9);
            for (int i = 0; i < trained.size(); i++) {
                assertArrayEquals(trained.get(i), m.getWeights().get(i));
            }
            assertTrue(m.getOptimizerSlots().stream().allMatch(s -> allZero(s)), "fresh Adam moments");

            // The next step is a fresh Adam's first step from the trained weights.
            try (Model fresh = Sequential.of(Input(2), Dense(4, "relu"), Dense(2, "softmax"))
                    .compile(new Adam(0.01), "sparse_categorical_crossentropy")) {
                fresh.setWeights(trained);
                m.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
                fresh.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
                for (int i = 0; i < trained.size(); i++) {
                    assertArrayEquals(fresh.getWeights().get(i), m.getWeights().get(i));
                }
            }
        }
    }

    @Test
    void compileAgainChangesTheLossAndMetrics() {
        try (Model m = classifier()) {
            Map<String, Double> before = m.evaluate(X, Y);
            m.compile(new SGD(0.1), Losses.resolve("sparse_categorical_crossentropy"), new Precision().named("p"),
                    Metrics.resolve("accuracy"));
            Map<String, Double> after = m.evaluate(X, Y);
            assertEquals(java.util.Set.of("loss", "p", "accuracy"), after.keySet());
            assertEquals(before.get("loss"), after.get("loss"), 1e-12);
            assertEquals("sgd", m.optimizer().name());
            History h = m.fit(X, Y, epochs(1), verbose(0));
            assertTrue(h.history().containsKey("p"));
        }
    }

    @Test
    void aRefusedCompileLeavesTheModelAsItWas() {
        try (Model m = classifier()) {
            m.fit(X, Y, epochs(1), verbose(0));
            long steps = m.iterations();
            List<float[]> weights = m.getWeights();
            assertThrows(IllegalArgumentException.class, () -> m.compile("adam", "binary_crossentropy"),
                    "binary_crossentropy cannot train a 2-wide softmax");
            assertThrows(IllegalArgumentException.class, () -> m.compile("adamm", "mse"));
            assertThrows(IllegalArgumentException.class, () -> m.compile((String) null, "mse"));
            assertThrows(IllegalArgumentException.class, () -> m.compile("adam", "sparse_categorical_crossentropy",
                    "accuracy", null));
            assertEquals(steps, m.iterations());
            assertEquals("adam", m.optimizer().name());
            assertArrayEquals(weights.get(0), m.getWeights().get(0));
        }
    }

    @Test
    void compileIsRefusedFromInsideFit() {
        try (Model m = classifier()) {
            Callback recompile = new Callback() {
                @Override
                public void onEpochEnd(int epoch, Map<String, Double> logs) {
                    m.compile("sgd", "sparse_categorical_crossentropy");
                }
            };
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.fit(X, Y, epochs(1), verbose(0), callbacks(recompile)));
            assertTrue(e.getMessage().contains("compile() was called from inside fit"), e.getMessage());
        }
    }

    @Test
    void anUnbuiltModelRecompilesWithoutWeights() {
        try (Model m = Sequential.of(Dense(2), Dense(1)).compile("sgd", "mse")) {
            assertSame(m, m.compile(new SGD(0.5), "mae"));
            assertEquals("mean_absolute_error", m.loss().name());
            m.fit(X, new float[][] {{1f}, {0f}, {1f}, {0f}}, epochs(1), verbose(0));
            assertEquals(0.5, m.learningRate(), 1e-7);
        }
    }

    @Test
    void theOptimizerReportsTheLearningRateInUse() {
        try (Model m = classifier()) {
            assertSame(m.optimizer(), m.optimizer(), "unchanged, it is the compiled optimizer itself");
            assertEquals(0.001, m.optimizer().learningRate());
            m.setLearningRate(1e-4);
            // Keras 3.15.1 prints float(model.optimizer.learning_rate) = 9.999999747378752e-05 (a float32).
            assertEquals(9.999999747378752e-05, m.optimizer().learningRate());
            assertEquals("adam", m.optimizer().name());
            m.fit(X, Y, epochs(2), verbose(0), callbacks(new LearningRateScheduler((epoch, lr) -> 0.5 / (epoch + 1))));
            assertEquals(0.25, m.optimizer().learningRate(), 1e-7);
        }
    }

    private static boolean allZero(float[] values) {
        for (float v : values) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }
}
