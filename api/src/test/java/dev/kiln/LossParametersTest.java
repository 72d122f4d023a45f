package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.losses.BinaryCrossentropy;
import dev.kiln.losses.CategoricalCrossentropy;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.losses.MeanSquaredError;
import dev.kiln.losses.SparseCategoricalCrossentropy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A loss is a value with its parameters: label smoothing gives Keras' loss (checked against a scalar
 * reference of Keras' formula on the model's own predictions, with the output activation absorbed by
 * the loss and computed on its own), the parameters survive save and load in Keras' config, and a
 * loss given by name is still saved as that name.
 */
class LossParametersTest {
    private static final int ROWS = 23;
    private static final double SMOOTHING = 0.2;

    @TempDir
    Path dir;

    private static float[][] inputs() {
        Random r = new Random(5);
        float[][] x = new float[ROWS][3];
        for (float[] row : x) {
            for (int j = 0; j < 3; j++) {
                row[j] = (float) r.nextGaussian() * 2;
            }
        }
        return x;
    }

    private static float[][] oneHot(int classes) {
        Random r = new Random(9);
        float[][] y = new float[ROWS][classes];
        for (float[] row : y) {
            row[r.nextInt(classes)] = 1f;
        }
        return y;
    }

    /** Keras: y·(1 − ε) + ε/K, then −Σ y'·log(clip(p / Σp)), averaged over the rows. */
    private static double categoricalReference(float[][] p, float[][] y, double epsilon) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            int k = p[i].length;
            double sum = 0;
            for (float v : p[i]) {
                sum += v;
            }
            for (int j = 0; j < k; j++) {
                double smoothed = y[i][j] * (1 - epsilon) + epsilon / k;
                total -= smoothed * Math.log(clip(p[i][j] / sum));
            }
        }
        return total / p.length;
    }

    /** Keras: y·(1 − ε) + ε/2, then −(y'·log p + (1 − y')·log(1 − p)), averaged over outputs and rows. */
    private static double binaryReference(float[][] p, float[][] y, double epsilon) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            for (int j = 0; j < p[i].length; j++) {
                double smoothed = y[i][j] * (1 - epsilon) + epsilon / 2;
                double q = clip(p[i][j]);
                total -= (smoothed * Math.log(q) + (1 - smoothed) * Math.log(1 - q)) / p[i].length;
            }
        }
        return total / p.length;
    }

    private static double clip(double p) {
        return Math.min(Math.max(p, 1e-7f), 1f - 1e-7f);
    }

    private static float[][] softmax(float[][] logits) {
        float[][] out = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (float z : logits[i]) {
                max = Math.max(max, z);
            }
            double sum = 0;
            for (float z : logits[i]) {
                sum += Math.exp(z - max);
            }
            out[i] = new float[logits[i].length];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) (Math.exp(logits[i][j] - max) / sum);
            }
        }
        return out;
    }

    private static float[][] sigmoid(float[][] logits) {
        float[][] out = new float[logits.length][];
        for (int i = 0; i < logits.length; i++) {
            out[i] = new float[logits[i].length];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) (1 / (1 + Math.exp(-logits[i][j])));
            }
        }
        return out;
    }

    private static void assertLoss(double expected, Model model, float[][] x, float[][] y, String what) {
        double loss = model.evaluate(x, y).get("loss");
        assertEquals(expected, loss, 2e-6 * Math.abs(expected), what);
    }

    @Test
    void categoricalLabelSmoothingIsKerasFormulaAbsorbedOrNot() {
        float[][] x = inputs();
        float[][] y = oneHot(4);
        Loss smoothed = new CategoricalCrossentropy(false, SMOOTHING);
        // The loss absorbs the final softmax and computes from the logits ...
        try (Model fused = Sequential.of(Input(3), Dense(4, "softmax")).compile("sgd", smoothed)) {
            double expected = categoricalReference(fused.predict(x), y, SMOOTHING);
            assertLoss(expected, fused, x, y, "softmax absorbed");
            assertNotEquals(categoricalReference(fused.predict(x), y, 0), expected, 1e-3, "smoothing changes the loss");
        }
        // ... or, with a layer after the softmax, reads the probabilities.
        try (Model apart = Sequential.of(Input(3), Dense(4, "softmax"), Dropout(0.5)).compile("sgd", smoothed)) {
            assertLoss(categoricalReference(apart.predict(x), y, SMOOTHING), apart, x, y, "softmax on its own");
        }
        try (Model logits = Sequential.of(Input(3), Dense(4)).compile("sgd",
                Losses.categoricalCrossentropy(true, SMOOTHING))) {
            assertLoss(categoricalReference(softmax(logits.predict(x)), y, SMOOTHING), logits, x, y, "from logits");
        }
    }

    @Test
    void binaryLabelSmoothingIsKerasFormulaAbsorbedOrNot() {
        float[][] x = inputs();
        float[][] y = new float[ROWS][2];
        Random r = new Random(3);
        for (float[] row : y) {
            row[0] = r.nextInt(2);
            row[1] = r.nextFloat(); // a probability as a target
        }
        Loss smoothed = new BinaryCrossentropy(false, SMOOTHING);
        try (Model fused = Sequential.of(Input(3), Dense(2, "sigmoid")).compile("sgd", smoothed)) {
            double expected = binaryReference(fused.predict(x), y, SMOOTHING);
            assertLoss(expected, fused, x, y, "sigmoid absorbed");
            assertNotEquals(binaryReference(fused.predict(x), y, 0), expected, 1e-3, "smoothing changes the loss");
        }
        try (Model apart = Sequential.of(Input(3), Dense(2, "sigmoid"), Dropout(0.5)).compile("sgd", smoothed)) {
            assertLoss(binaryReference(apart.predict(x), y, SMOOTHING), apart, x, y, "sigmoid on its own");
        }
        try (Model logits = Sequential.of(Input(3), Dense(2)).compile("sgd",
                Losses.binaryCrossentropy(true, SMOOTHING))) {
            assertLoss(binaryReference(sigmoid(logits.predict(x)), y, SMOOTHING), logits, x, y, "from logits");
        }
    }

    @Test
    void parametersSurviveSaveAndLoadInKerasConfig() throws IOException {
        Path file = dir.resolve("smoothed.kiln");
        try (Model model = Sequential.of(Input(3), Dense(4, "softmax")).compile("adam",
                new CategoricalCrossentropy(false, 0.1))) {
            model.save(file);
        }
        JsonNode loss = compileConfig(file).get("loss");
        assertEquals("CategoricalCrossentropy", loss.get("class_name").asText());
        assertEquals("categorical_crossentropy", loss.get("config").get("name").asText());
        assertFalse(loss.get("config").get("from_logits").asBoolean());
        assertEquals(0.1, loss.get("config").get("label_smoothing").asDouble());
        try (Model loaded = Model.load(file)) {
            assertEquals(new CategoricalCrossentropy(false, 0.1), loaded.loss());
        }

        Path logits = dir.resolve("logits.kiln");
        try (Model model = Sequential.of(Input(3), Dense(1)).compile("adam", new BinaryCrossentropy(true, 0.05))) {
            model.save(logits);
        }
        try (Model loaded = Model.load(logits)) {
            assertEquals(new BinaryCrossentropy(true, 0.05), loaded.loss());
        }
    }

    @Test
    void aLossGivenByNameOrWithItsNamesDefaultsIsSavedAsTheName() throws IOException {
        for (Loss given : new Loss[] {Losses.resolve("categorical_crossentropy"), Losses.categoricalCrossentropy(false),
                new CategoricalCrossentropy()}) {
            Path file = dir.resolve("named.kiln");
            try (Model model = Sequential.of(Input(3), Dense(4, "softmax")).compile("adam", given)) {
                model.save(file);
            }
            JsonNode loss = compileConfig(file).get("loss");
            assertTrue(loss.isTextual(), given + " saved as " + loss);
            assertEquals("categorical_crossentropy", loss.asText());
        }
    }

    @Test
    void namesAndFactoriesGiveTheSameValues() {
        assertEquals(new MeanSquaredError(), Losses.resolve("mse"));
        assertEquals(new BinaryCrossentropy(), Losses.resolve("bce"));
        assertEquals(new SparseCategoricalCrossentropy(true), Losses.sparseCategoricalCrossentropy(true));
        assertEquals(new CategoricalCrossentropy(true, 0.3), Losses.categoricalCrossentropy(true, 0.3));
        assertTrue(Losses.resolve("sparse_categorical_crossentropy").sparseTargets());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CategoricalCrossentropy(false, 1.5));
        assertEquals("label_smoothing must be in [0, 1], got 1.5", e.getMessage());
    }

    private static JsonNode compileConfig(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return new ObjectMapper().readTree(zip.getInputStream(zip.getEntry("config.json")).readAllBytes())
                    .get("compile_config");
        }
    }
}
