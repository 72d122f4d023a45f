package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.Input;
import static dev.kiln.Layers.LayerNormalization;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * BatchNormalization and LayerNormalization on examples that are not flat: as in Keras they normalize
 * each feature of the last axis (the channels of a 4×5 image with 3 channels), over the batch and every
 * pixel for BatchNormalization, over each pixel's channels for LayerNormalization.
 */
class ImageNormalizationTest {
    private static final int N = 6;
    private static final int PIXELS = 4 * 5;
    private static final int CHANNELS = 3;

    private static float[][] images(long seed) {
        Random r = new Random(seed);
        float[][] x = new float[N][PIXELS * CHANNELS];
        for (float[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (float) (r.nextGaussian() * 2 + (i % CHANNELS)); // each channel its own mean
            }
        }
        return x;
    }

    @Test
    void batchNormalizationOfImagesKeepsStatisticsPerChannel() {
        float[][] x = images(3);
        float[][] y = new float[N][2];
        for (int i = 0; i < N; i++) {
            y[i][0] = x[i][0];
            y[i][1] = -x[i][7];
        }
        try (Model m = Sequential.of(Input(4, 5, 3), BatchNormalization(), Flatten(), Dense(2))
                .compile(new SGD(0.1), "mse")) {
            m.fit(x, y, epochs(1), batchSize(N), shuffle(false), verbose(0));
            List<float[]> w = m.getWeights();
            assertEquals(List.of(3, 3, 3, 3, PIXELS * CHANNELS * 2, 2), w.stream().map(a -> a.length).toList());
            float[] gamma = w.get(0);
            float[] beta = w.get(1);
            float[] movingMean = w.get(2);
            float[] movingVariance = w.get(3);
            for (int c = 0; c < CHANNELS; c++) {
                double mean = 0;
                for (float[] row : x) {
                    for (int p = 0; p < PIXELS; p++) {
                        mean += row[p * CHANNELS + c] / (double) (N * PIXELS);
                    }
                }
                double variance = 0;
                for (float[] row : x) {
                    for (int p = 0; p < PIXELS; p++) {
                        double d = row[p * CHANNELS + c] - mean;
                        variance += d * d / (N * PIXELS);
                    }
                }
                assertEquals(0.01 * mean, movingMean[c], 1e-5, "moving_mean of channel " + c);
                assertEquals(0.99 + 0.01 * variance, movingVariance[c], 1e-5, "moving_variance of channel " + c);
            }
            // predict: each value normalized with its channel's moving statistics, then the Dense on all 60.
            float[] kernel = w.get(4);
            float[] bias = w.get(5);
            float[][] out = m.predict(x);
            for (int i = 0; i < N; i++) {
                for (int k = 0; k < 2; k++) {
                    double expected = bias[k];
                    for (int j = 0; j < PIXELS * CHANNELS; j++) {
                        int c = j % CHANNELS;
                        double normalized = gamma[c] * (x[i][j] - movingMean[c]) / Math.sqrt(movingVariance[c] + 1e-3)
                                + beta[c];
                        expected += normalized * kernel[j * 2 + k];
                    }
                    assertEquals(expected, out[i][k], 1e-4, "output " + i + "," + k);
                }
            }
        }
    }

    @Test
    void layerNormalizationOfImagesNormalizesEachPixelsChannels() {
        float[][] x = images(5);
        try (Model m = Sequential.of(Input(4, 5, 3), LayerNormalization(), Flatten()).compile("sgd", "mse")) {
            float[][] out = m.predict(x);
            for (int i = 0; i < N; i++) {
                for (int p = 0; p < PIXELS; p++) {
                    double mean = 0;
                    for (int c = 0; c < CHANNELS; c++) {
                        mean += x[i][p * CHANNELS + c] / (double) CHANNELS;
                    }
                    double variance = 0;
                    for (int c = 0; c < CHANNELS; c++) {
                        double d = x[i][p * CHANNELS + c] - mean;
                        variance += d * d / CHANNELS;
                    }
                    for (int c = 0; c < CHANNELS; c++) {
                        int j = p * CHANNELS + c;
                        assertEquals((x[i][j] - mean) / Math.sqrt(variance + 1e-3), out[i][j], 1e-5, "value " + i + "," + j);
                    }
                }
            }
        }
    }

    @Test
    void summaryShowsTheImageShapeAndCountsWeightsPerChannel() {
        try (Model m = Sequential.of(Input(4, 5, 3), BatchNormalization(), LayerNormalization().center(false), Flatten(),
                Dense(2)).compile("adam", "mse")) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            m.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String s = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(s.contains("batch_normalization (BatchNormalization) │ (None, 4, 5, 3)"), s);
            assertTrue(s.contains("flatten (Flatten)") && s.contains("(None, 60)"), s);
            // gamma, beta, moving mean and variance: 3 each; LayerNormalization's gamma: 3; Dense: 60·2 + 2.
            assertTrue(s.contains("Total params: 137 "), s);
            assertTrue(s.contains("Non-trainable params: 6 "), s);
        }
    }

    @Test
    void aModelOfImagesLearns() {
        float[][] x = images(7);
        float[][] y = new float[N][1];
        for (int i = 0; i < N; i++) {
            y[i][0] = x[i][4] - x[i][11];
        }
        try (Model m = Sequential.of(Input(4, 5, 3), BatchNormalization(), Flatten(), Dense(1)).compile("adam", "mse")) {
            double before = m.evaluate(x, y).get("loss");
            m.fit(x, y, epochs(200), batchSize(N), verbose(0));
            double after = m.evaluate(x, y).get("loss");
            assertTrue(after < 0.2 * before, before + " → " + after);
        }
    }
}
