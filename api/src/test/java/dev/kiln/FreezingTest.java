package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.optimizers.SGD;
import dev.kiln.regularizers.Regularizers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A layer's trainable flag as a Keras user freezes layers for fine-tuning: honoured by fit after the next
 * compile, counted by summary, kept by files. The reference numbers come from Keras 3.15.1 (JAX): the
 * same weights, x and y, SGD(0.1), one full batch without shuffling.
 */
class FreezingTest {
    @TempDir
    Path dir;

    private static final float[][] X = {{0.5f, -1f, 2f}, {1.5f, 0.25f, -0.5f}, {-0.75f, 1f, 0f}, {0.1f, 0.2f, 0.3f}};
    private static final int[] Y = {0, 1, 1, 0};

    /** The weights the Keras script set: ((i·7 + k) mod 11)/10 − 0.5 for the dense ones, and fixed BN values. */
    private static List<float[]> startWeights() {
        return List.of(pattern(12, 1), pattern(4, 2), new float[] {1.5f, 0.5f, 1f, 2f},
                new float[] {0.1f, -0.2f, 0f, 0.3f}, new float[] {0.2f, 0.1f, -0.1f, 0.4f},
                new float[] {1f, 0.5f, 2f, 1.5f}, pattern(8, 3), pattern(2, 4));
    }

    private static float[] pattern(int n, int k) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (((i * 7 + k) % 11) / 10.0 - 0.5);
        }
        return v;
    }

    private static Model model() {
        Model m = Sequential.of(Input(3), Dense(4, "relu"), BatchNormalization(), Dense(2, "softmax"))
                .compile(new SGD(0.1), "sparse_categorical_crossentropy", "accuracy");
        m.setWeights(startWeights());
        return m;
    }

    // Keras: the last Dense after one step when dense and batch_normalization are frozen (the BN in inference mode).
    private static final float[] KERAS_HEAD_KERNEL = {-0.2007458359003067f, 0.5007458329200745f, 0.1072569414973259f,
        -0.3072569668292999f, 0.3925345242023468f, 0.007465490605682135f, -0.39480581879615784f, 0.2948058247566223f};
    private static final float[] KERAS_HEAD_BIAS = {-0.12026222050189972f, -0.479737788438797f};

    @Test
    void frozenLayersKeepTheirWeightsAndTheRestTrainsAsInKeras() {
        try (Model m = model()) {
            m.getLayer(0).setTrainable(false);
            m.getLayer("batch_normalization").setTrainable(false);
            m.compile(new SGD(0.1), "sparse_categorical_crossentropy", "accuracy");
            History h = m.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            assertEquals(0.71739661693573, h.last("loss"), 1e-6);
            List<float[]> after = m.getWeights();
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(startWeights().get(i), after.get(i), "weight " + i + " is frozen"); // moving stats too
            }
            assertArrayEquals(KERAS_HEAD_KERNEL, after.get(6), 1e-6f);
            assertArrayEquals(KERAS_HEAD_BIAS, after.get(7), 1e-6f);
        }
    }

    // Keras: dense trains through a frozen batch_normalization, whose input gradient is dy·γ/√(moving var + ε).
    private static final float[] KERAS_DENSE_KERNEL = {-0.4125875234603882f, 0.2935783863067627f, -0.09640064835548401f,
        -0.513705849647522f, 0.216783344745636f, -0.20253708958625793f, 0.4958933889865875f, 0.11827443540096283f,
        -0.30000001192092896f, 0.40652740001678467f, 0.0006232826854102314f, -0.4000000059604645f};
    private static final float[] KERAS_DENSE_BIAS = {-0.283216655254364f, 0.39879345893859863f, -0.002444516634568572f,
        -0.38172557950019836f};

    @Test
    void aFrozenBatchNormalizationRunsInInferenceModeAndPassesGradientsOnAsKeras() {
        try (Model m = model()) {
            m.getLayer("batch_normalization").setTrainable(false);
            m.compile(new SGD(0.1), "sparse_categorical_crossentropy", "accuracy");
            m.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            List<float[]> after = m.getWeights();
            assertArrayEquals(KERAS_DENSE_KERNEL, after.get(0), 1e-6f);
            assertArrayEquals(KERAS_DENSE_BIAS, after.get(1), 1e-6f);
            for (int i = 2; i < 6; i++) {
                assertArrayEquals(startWeights().get(i), after.get(i), "batch norm weight " + i);
            }
            assertArrayEquals(KERAS_HEAD_KERNEL, after.get(6), 1e-6f);
            assertArrayEquals(KERAS_HEAD_BIAS, after.get(7), 1e-6f);
        }
    }

    @Test
    void aChangedFlagTakesEffectAtTheNextCompileAndFitIsRefusedUntilThen() {
        try (Model m = model()) {
            m.getLayer(0).setTrainable(false);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> m.fit(X, Y, epochs(1), verbose(0)));
            assertTrue(e.getMessage().contains("'dense'") && e.getMessage().contains("compile"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> m.save(dir.resolve("m.kiln")));
            assertEquals(0, m.iterations());
            m.getLayer(0).setTrainable(true); // back as compiled: fit may go on
            m.fit(X, Y, epochs(1), verbose(0));
            assertEquals(1, m.iterations());
        }
    }

    @Test
    void weightsSayWhetherFitTrainsThem() {
        try (Model m = model()) {
            assertEquals(6, m.trainableWeights().size());
            m.getLayer("dense").setTrainable(false);
            m.compile("sgd", "sparse_categorical_crossentropy");
            assertEquals(List.of("batch_normalization/gamma", "batch_normalization/beta", "dense_1/kernel", "dense_1/bias"),
                    m.trainableWeights().stream().map(Weight::name).toList());
            assertEquals(List.of("dense/kernel", "dense/bias", "batch_normalization/moving_mean",
                    "batch_normalization/moving_variance"), m.nonTrainableWeights().stream().map(Weight::name).toList());
            assertFalse(m.getLayer("dense").weights().get(0).trainable());
            assertEquals("dense (Dense, frozen)", m.getLayer(0).toString());
        }
    }

    @Test
    void summaryCountsAFrozenLayersWeightsAsNonTrainableAsKeras() {
        try (Model m = model()) {
            m.getLayer(0).setTrainable(false);
            m.getLayer(1).setTrainable(false);
            String s = summary(m);
            // Keras 3.15.1 prints these three lines for the same model and flags.
            assertTrue(s.contains(" Total params: 42 (168.00 B)"), s);
            assertTrue(s.contains(" Trainable params: 10 (40.00 B)"), s);
            assertTrue(s.contains(" Non-trainable params: 32 (128.00 B)"), s);
        }
    }

    @Test
    void aFrozenLayersRegularizerAddsNothingToTheLoss() {
        float[][] x = {{1f, 2f}, {-1f, 0.5f}};
        float[][] y = {{0.5f}, {-0.5f}};
        try (Model plain = Sequential.of(Input(2), Dense(3), Dense(1)).compile("sgd", "mse");
                Model penalized = Sequential.of(Input(2), Dense(3).kernelRegularizer(Regularizers.resolve("l2")),
                        Dense(1)).compile("sgd", "mse")) {
            penalized.setWeights(plain.getWeights());
            assertTrue(penalized.evaluate(x, y).get("loss") > plain.evaluate(x, y).get("loss"));
            penalized.getLayer(0).setTrainable(false);
            penalized.compile("sgd", "mse");
            assertEquals(plain.evaluate(x, y).get("loss"), penalized.evaluate(x, y).get("loss"), 1e-7);
        }
    }

    @Test
    void freezingSurvivesKilnAndKerasFiles() throws IOException {
        for (String name : List.of("frozen.kiln", "frozen.keras")) {
            Path file = dir.resolve(name);
            List<float[]> trained;
            try (Model m = model()) {
                m.getLayer(0).setTrainable(false);
                m.compile(new SGD(0.1), "sparse_categorical_crossentropy", "accuracy");
                m.fit(X, Y, epochs(1), batchSize(4), verbose(0));
                trained = m.getWeights();
                m.save(file);
            }
            try (Model loaded = Model.load(file)) {
                assertFalse(loaded.getLayer("dense").isTrainable(), name);
                assertTrue(loaded.getLayer("dense_1").isTrainable(), name);
                loaded.fit(X, Y, epochs(2), batchSize(4), verbose(0));
                assertArrayEquals(trained.get(0), loaded.getWeights().get(0), name + ": the frozen kernel stays");
                assertFalse(java.util.Arrays.equals(trained.get(6), loaded.getWeights().get(6)), name);
            }
        }
    }

    @Test
    void aKerasModelWithNamedAndFrozenLayersLoadsSo() throws Exception {
        // Made by tools/keras-fixtures (Keras 3.15.1): Dense(name="encoder", trainable=False),
        // BatchNormalization(trainable=False), Dense(name="head"). KerasFixturesTest checks its numbers.
        Path file = Path.of(FreezingTest.class.getResource("/dev/kiln/keras/frozen_named_adam.keras").toURI());
        try (Model m = Model.load(file)) {
            assertEquals(List.of("encoder (Dense, frozen)", "batch_normalization (BatchNormalization, frozen)",
                    "head (Dense)"), m.layers().stream().map(ModelLayer::toString).toList());
            assertEquals(List.of("head/kernel", "head/bias"), m.trainableWeights().stream().map(Weight::name).toList());
            List<float[]> before = m.getWeights();
            float[][] x = {{1f, 0f, 0.5f, -1f, 2f, 0f}, {0f, 1f, -0.5f, 1f, 0f, 1f}};
            m.fit(x, new int[] {0, 2}, epochs(1), verbose(0));
            for (int i = 0; i < 6; i++) {
                assertArrayEquals(before.get(i), m.getWeights().get(i), m.weights().get(i).name() + " is frozen");
            }
            assertFalse(java.util.Arrays.equals(before.get(6), m.getWeights().get(6)), "the head trains");
        }
    }

    @Test
    void unfreezingAgainTrainsTheLayerAfterTheNextCompile() {
        try (Model m = model()) {
            m.getLayer(0).setTrainable(false);
            m.compile("sgd", "sparse_categorical_crossentropy");
            m.fit(X, Y, epochs(1), batchSize(4), verbose(0));
            assertArrayEquals(startWeights().get(0), m.getWeights().get(0));
            m.getLayer(0).setTrainable(true);
            m.compile("sgd", "sparse_categorical_crossentropy");
            m.fit(X, Y, epochs(1), batchSize(4), verbose(0));
            assertFalse(java.util.Arrays.equals(startWeights().get(0), m.getWeights().get(0)));
        }
    }

    private static String summary(Model m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
