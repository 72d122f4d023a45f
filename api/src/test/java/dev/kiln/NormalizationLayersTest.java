package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static dev.kiln.Layers.LayerNormalization;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** LayerNormalization and BatchNormalization as a Keras user meets them. */
class NormalizationLayersTest {
    private static final float[][] X = {{1f, 2f, -1f}, {0.5f, -1f, 2f}, {-2f, 0f, 1f}, {1.5f, 1f, 0f}, {3f, -2f, 0.5f}};
    private static final float[][] Y = {{1f, 0f}, {0f, 2f}, {-1f, 1f}, {0.5f, 0.5f}, {2f, -1f}};

    @Test
    void summaryCountsTrainableAndNonTrainableParametersAsKeras() {
        try (Model m = Sequential.of(Input(8), Dense(16), BatchNormalization(), LayerNormalization(), Dense(2))
                .compile("adam", "mse")) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            m.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String s = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(s.contains("batch_normalization (BatchNormalization)") && s.contains(" 64 "), s);
            assertTrue(s.contains("layer_normalization (LayerNormalization)") && s.contains(" 32 "), s);
            assertTrue(s.contains("Total params: 274 "), s);
            assertTrue(s.contains("Trainable params: 242 "), s);
            assertTrue(s.contains("Non-trainable params: 32 "), s);
        }
    }

    @Test
    void batchNormalizationWeightsComeInKerasOrderWithKerasInitialValues() {
        try (Model m = Sequential.of(Input(3), BatchNormalization()).compile("sgd", "mse")) {
            List<float[]> w = m.getWeights();
            assertEquals(4, w.size());
            assertArrayEquals(new float[] {1, 1, 1}, w.get(0));   // gamma
            assertArrayEquals(new float[] {0, 0, 0}, w.get(1));   // beta
            assertArrayEquals(new float[] {0, 0, 0}, w.get(2));   // moving_mean
            assertArrayEquals(new float[] {1, 1, 1}, w.get(3));   // moving_variance
        }
        try (Model m = Sequential.of(Input(3), BatchNormalization().center(false).scale(false)).compile("sgd", "mse")) {
            assertEquals(2, m.getWeights().size());
        }
    }

    @Test
    void fitMovesTheMovingStatisticsAndPredictNormalizesWithThem() {
        try (Model m = Sequential.of(Input(3), BatchNormalization(), Dense(2)).compile(new SGD(0.1), "mse")) {
            m.fit(X, Y, epochs(1), batchSize(X.length), shuffle(false), verbose(0));
            List<float[]> w = m.getWeights();
            float[] movingMean = w.get(2);
            float[] movingVar = w.get(3);
            for (int j = 0; j < 3; j++) {
                double mean = 0;
                for (float[] row : X) {
                    mean += row[j] / X.length;
                }
                double var = 0;
                for (float[] row : X) {
                    var += (row[j] - mean) * (row[j] - mean) / X.length;
                }
                assertEquals(0.01 * mean, movingMean[j], 1e-6, "moving_mean " + j);        // 0.99·0 + 0.01·μ
                assertEquals(0.99 + 0.01 * var, movingVar[j], 1e-6, "moving_variance " + j); // 0.99·1 + 0.01·σ²
            }
            // predict: γ·(x − moving_mean)/√(moving_variance + 1e-3) + β, then the Dense.
            float[] gamma = w.get(0);
            float[] beta = w.get(1);
            float[] kernel = w.get(4);
            float[] bias = w.get(5);
            float[][] out = m.predict(X);
            for (int i = 0; i < X.length; i++) {
                for (int k = 0; k < 2; k++) {
                    double y = bias[k];
                    for (int j = 0; j < 3; j++) {
                        double n = gamma[j] * (X[i][j] - movingMean[j]) / Math.sqrt(movingVar[j] + 1e-3) + beta[j];
                        y += n * kernel[j * 2 + k];
                    }
                    assertEquals(y, out[i][k], 1e-5, "output " + i + "," + k);
                }
            }
            // evaluate uses them too: its loss is the mse of predict's outputs.
            double mse = 0;
            for (int i = 0; i < X.length; i++) {
                for (int k = 0; k < 2; k++) {
                    mse += (out[i][k] - Y[i][k]) * (out[i][k] - Y[i][k]) / (2.0 * X.length);
                }
            }
            assertEquals(mse, m.evaluate(X, Y).get("loss"), 1e-5);
            assertArrayEquals(movingMean, m.getWeights().get(2), 0f);
        }
    }

    @Test
    void layerNormalizationNormalizesEachRow() {
        try (Model m = Sequential.of(Input(3), LayerNormalization()).compile("sgd", "mse")) {
            float[][] out = m.predict(X);
            for (int i = 0; i < X.length; i++) {
                double mean = (X[i][0] + X[i][1] + X[i][2]) / 3.0;
                double var = 0;
                for (float v : X[i]) {
                    var += (v - mean) * (v - mean) / 3;
                }
                for (int j = 0; j < 3; j++) {
                    assertEquals((X[i][j] - mean) / Math.sqrt(var + 1e-3), out[i][j], 1e-5);
                }
            }
        }
    }

    @Test
    void normalizedModelsLearn() {
        for (var norm : List.of(BatchNormalization(), LayerNormalization())) {
            try (Model m = Sequential.of(Input(3), Dense(16, "relu"), norm, Dense(2)).compile("adam", "mse")) {
                double before = m.evaluate(X, Y).get("loss");
                History h = m.fit(X, Y, epochs(100), batchSize(5), verbose(0));
                List<Double> loss = h.history().get("loss");
                assertTrue(loss.get(loss.size() - 1) < 0.5 * before, norm + ": " + before + " → " + loss.get(loss.size() - 1));
            }
        }
    }

    @Test
    void badSettingsFailNamingTheValue() {
        assertThrows(IllegalArgumentException.class, () -> BatchNormalization().momentum(1.5));
        assertThrows(IllegalArgumentException.class, () -> LayerNormalization().epsilon(0));
        // Normalization takes examples of any shape now; the Dense after it still needs them flat.
        var e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(2, 3), BatchNormalization(), Dense(2)).compile("sgd", "mse"));
        assertTrue(e.getMessage().startsWith("Dense layer 'dense' needs flat examples but gets examples of shape [2, 3]")
                && e.getMessage().contains("Flatten()"), e.getMessage());
    }
}
