package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Activation;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static dev.kiln.testing.UncheckedFileErrors.assertCause;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.io.ModelFormatException;
import dev.kiln.io.SafeTensors;
import dev.kiln.losses.Losses;
import dev.kiln.optimizers.Adagrad;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.AdamW;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.Optimizers;
import dev.kiln.optimizers.RMSprop;
import dev.kiln.optimizers.SGD;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** save/load and saveWeights/loadWeights: exact round trips, exact resumption, clear refusals. */
class ModelFilesTest {
    @TempDir
    Path dir;

    static float[][] inputs(int rows, int width, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[rows][width];
        for (float[] row : x) {
            for (int j = 0; j < width; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    static int[] labels(float[][] x, int classes) {
        int[] y = new int[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.floorMod((int) Math.floor(x[i][0] * 2 + x[i][1]), classes);
        }
        return y;
    }

    static Stream<Object> optimizers() {
        return Stream.of(new Adam(0.01), new AdamW(0.01, 0.01), new SGD(0.05, 0.9, true), new SGD(0.05),
                new RMSprop(0.01), new Adagrad(0.05));
    }

    static Model classifier(Object optimizer) {
        return Sequential.of(Input(5), Dense(7, "relu"), Dropout(0.25), Dense(6, "tanh", true, "he_normal", "ones"),
                Activation("relu"), Dense(3, "softmax")).compile(optimizer instanceof String name
                        ? Optimizers.resolve(name) : (Optimizer) optimizer, "sparse_categorical_crossentropy",
                "accuracy");
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void loadedModelPredictsBitIdenticallyAndResumesExactly(Object optimizer) throws IOException {
        Kiln.setSeed(7);
        float[][] x = inputs(64, 5, 1);
        int[] y = labels(x, 3);
        Path file = dir.resolve("model.kiln");
        try (Model original = classifier(optimizer)) {
            original.fit(x, y, epochs(2), batchSize(16), shuffle(false), verbose(0));
            original.compiledGraph().setLearningRate(original.compiledGraph().learningRate() * 0.5f);
            original.save(file);
            try (Model loaded = Model.load(file)) {
                assertEquals(original.layerNames(), loaded.layerNames());
                assertEquals(original.layerSpecs(), loaded.layerSpecs());
                assertEquals(original.optimizer(), loaded.optimizer());
                assertEquals(original.loss().toString(), loaded.loss().toString());
                assertEquals(original.iterations(), loaded.iterations());
                assertEquals(8, loaded.iterations());
                assertEquals(original.compiledGraph().learningRate(), loaded.compiledGraph().learningRate());
                assertEquals(original.seed(), loaded.seed());
                assertWeightsEqual(original.getWeights(), loaded.getWeights());
                float[][] expected = original.predict(x);
                float[][] actual = loaded.predict(x);
                for (int i = 0; i < x.length; i++) {
                    assertArrayEquals(expected[i], actual[i], "row " + i);
                }
                // Both continue: optimizer slots, step count (bias correction), learning rate and
                // the dropout stream must all be restored for the weights to stay bit-identical.
                original.fit(x, y, epochs(2), batchSize(16), shuffle(false), verbose(0));
                loaded.fit(x, y, epochs(2), batchSize(16), shuffle(false), verbose(0));
                assertWeightsEqual(original.getWeights(), loaded.getWeights());
                assertEquals(original.evaluate(x, y), loaded.evaluate(x, y));
            }
        }
    }

    @Test
    void resumingWithoutTheOptimizerStateWouldDiffer() throws IOException {
        // The control for the test above: fresh optimizer state gives other weights, so that test can fail.
        Kiln.setSeed(3);
        float[][] x = inputs(64, 5, 2);
        int[] y = labels(x, 3);
        Path weights = dir.resolve("w.safetensors");
        try (Model original = classifier("adam")) {
            original.fit(x, y, epochs(2), batchSize(16), shuffle(false), verbose(0));
            original.saveWeights(weights);
            try (Model fresh = classifier("adam")) {
                fresh.loadWeights(weights);
                assertWeightsEqual(original.getWeights(), fresh.getWeights());
                original.fit(x, y, epochs(1), batchSize(16), shuffle(false), verbose(0));
                fresh.fit(x, y, epochs(1), batchSize(16), shuffle(false), verbose(0));
                assertFalse(java.util.Arrays.equals(original.getWeights().get(0), fresh.getWeights().get(0)));
            }
        }
    }

    @Test
    void lazilyBuiltAndUnbuiltModelsRoundTrip() throws IOException {
        Path file = dir.resolve("lazy.kiln");
        try (Model model = Sequential.of(Dense(4, "relu"), Dense(2)).compile("rmsprop", "mse", "mae")) {
            model.save(file);
            try (Model loaded = Model.load(file)) {
                assertFalse(loaded.isBuilt());
                assertEquals(List.of("mae"), loaded.metrics().stream().map(m -> m.name()).toList());
            }
            float[][] x = inputs(10, 3, 4);
            model.fit(x, inputs(10, 2, 5), epochs(1), verbose(0));
            model.save(file);
            try (Model loaded = Model.load(file)) {
                assertTrue(loaded.isBuilt());
                assertEquals(3, loaded.inputWidth());
                assertArrayEquals(model.predict(x)[3], loaded.predict(x)[3]);
            }
        }
    }

    @Test
    void fromLogitsLossSurvives() throws IOException {
        Path file = dir.resolve("logits.kiln");
        try (Model model = Sequential.of(Input(3), Dense(4)).compile("sgd", Losses.categoricalCrossentropy(true))) {
            model.save(file);
            try (Model loaded = Model.load(file)) {
                assertTrue(loaded.loss().fromLogits());
                assertEquals("categorical_crossentropy", loaded.loss().name());
            }
        }
    }

    @Test
    void configIsKerasShapedJson() throws IOException {
        Path file = dir.resolve("shape.kiln");
        try (Model model = classifier(new Adam(0.002))) {
            model.save(file);
        }
        String json;
        try (var zip = new java.util.zip.ZipFile(file.toFile())) {
            json = new String(zip.getInputStream(zip.getEntry("config.json")).readAllBytes());
            assertEquals(java.util.zip.ZipEntry.STORED, zip.getEntry("model.safetensors").getMethod());
        }
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertEquals("Sequential", tree.get("class_name").asText());
        assertEquals(Kiln.VERSION, tree.get("kiln_version").asText());
        var dense = tree.get("config").get("layers").get(1);
        assertEquals("Dense", dense.get("class_name").asText());
        assertEquals("dense", dense.get("config").get("name").asText());
        assertEquals(7, dense.get("config").get("units").asInt());
        assertEquals("relu", dense.get("config").get("activation").asText());
        assertTrue(dense.get("config").get("use_bias").asBoolean());
        assertEquals("GlorotUniform", dense.get("config").get("kernel_initializer").get("class_name").asText());
        assertEquals(0.25, tree.get("config").get("layers").get(2).get("config").get("rate").asDouble());
        assertEquals("HeNormal",
                tree.get("config").get("layers").get(3).get("config").get("kernel_initializer").get("class_name").asText());
        var optimizer = tree.get("compile_config").get("optimizer");
        assertEquals("Adam", optimizer.get("class_name").asText());
        assertEquals(0.002, optimizer.get("config").get("learning_rate").asDouble());
        assertEquals(0.999, optimizer.get("config").get("beta_2").asDouble());
        assertEquals("sparse_categorical_crossentropy", tree.get("compile_config").get("loss").asText());
        assertEquals("accuracy", tree.get("compile_config").get("metrics").get(0).asText());
        assertEquals(5, tree.get("build_config").get("input_shape").get(1).asInt());
        assertEquals(0, tree.get("training_state").get("iterations").asLong());
    }

    @Test
    void weightsAndOptimizerStateUseKerasNames() throws IOException {
        Path file = dir.resolve("names.kiln");
        Kiln.setSeed(1);
        float[][] x = inputs(8, 5, 3);
        try (Model model = classifier("adam")) {
            model.fit(x, labels(x, 3), epochs(1), batchSize(4), verbose(0));
            model.save(file);
            byte[] inner;
            try (var zip = new java.util.zip.ZipFile(file.toFile())) {
                inner = zip.getInputStream(zip.getEntry("model.safetensors")).readAllBytes();
            }
            SafeTensors.Contents c = SafeTensors.read(inner, "inner");
            assertEquals(List.of("dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias", "dense_2/kernel",
                    "dense_2/bias", "optimizer/dense/kernel/momentum", "optimizer/dense/bias/momentum",
                    "optimizer/dense_1/kernel/momentum", "optimizer/dense_1/bias/momentum",
                    "optimizer/dense_2/kernel/momentum", "optimizer/dense_2/bias/momentum",
                    "optimizer/dense/kernel/velocity", "optimizer/dense/bias/velocity",
                    "optimizer/dense_1/kernel/velocity", "optimizer/dense_1/bias/velocity",
                    "optimizer/dense_2/kernel/velocity", "optimizer/dense_2/bias/velocity"),
                    List.copyOf(c.tensors().keySet()));
            assertArrayEquals(new int[] {5, 7}, c.tensors().get("dense/kernel").shape());
            assertArrayEquals(model.getWeights().get(0), c.tensors().get("dense/kernel").values());
            assertEquals("2", c.metadata().get("optimizer.iterations"));
        }
    }

    @Test
    void loadWeightsRefusesAMismatchAndLeavesTheWeights() throws IOException {
        Path small = dir.resolve("small.safetensors");
        try (Model a = Sequential.of(Input(3), Dense(2)).compile("sgd", "mse");
                Model b = Sequential.of(Input(4), Dense(2)).compile("sgd", "mse");
                Model c = Sequential.of(Input(3), Dense(2), Dense(1)).compile("sgd", "mse")) {
            a.saveWeights(small);
            List<float[]> before = b.getWeights();
            ModelFormatException e = assertCause(ModelFormatException.class, () -> b.loadWeights(small));
            assertTrue(e.getMessage().contains("dense/kernel") && e.getMessage().contains("[3, 2]")
                    && e.getMessage().contains("[4, 2]"), e.getMessage());
            assertWeightsEqual(before, b.getWeights());
            e = assertCause(ModelFormatException.class, () -> c.loadWeights(small));
            assertTrue(e.getMessage().contains("dense_1/kernel"), e.getMessage());
        }
    }

    @Test
    void messagesListAHandfulOfNamesWhateverTheFileHolds() throws IOException {
        Map<String, SafeTensors.Entry> strangers = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 1000; i++) {
            strangers.put(String.format("stranger_%04d/kernel", i), new SafeTensors.Entry(new int[] {1}, new float[1]));
        }
        Path file = dir.resolve("strangers.safetensors");
        SafeTensors.write(file, strangers, Map.of());
        try (Model model = Sequential.of(Input(3), Dense(2)).compile("sgd", "mse")) {
            ModelFormatException e = assertCause(ModelFormatException.class, () -> model.loadWeights(file));
            assertTrue(e.getMessage().contains("has no tensor 'dense/kernel'"), e.getMessage());
            assertTrue(e.getMessage().contains("stranger_0000/kernel, stranger_0001/kernel")
                    && e.getMessage().contains("and 992 more") && !e.getMessage().contains("stranger_0999"),
                    e.getMessage());
            assertTrue(e.getMessage().length() < 600, e.getMessage());
        }
    }

    @Test
    void fileNamesAndStatesAreChecked() throws IOException {
        try (Model model = Sequential.of(Input(3), Dense(2)).compile("sgd", "mse");
                Model lazy = Sequential.of(Dense(2)).compile("sgd", "mse")) {
            IllegalArgumentException wrongName = assertThrows(IllegalArgumentException.class,
                    () -> model.save(dir.resolve("m.h5")));
            assertTrue(wrongName.getMessage().contains(".kiln (Kiln's format) or .keras (Keras')"),
                    wrongName.getMessage());
            assertThrows(IllegalArgumentException.class, () -> model.saveWeights(dir.resolve("m.kiln")));
            assertThrows(IllegalArgumentException.class, () -> Model.load(dir.resolve("m.safetensors")));
            assertThrows(IllegalStateException.class, () -> lazy.saveWeights(dir.resolve("w.safetensors")));
            assertCause(java.nio.file.NoSuchFileException.class, () -> Model.load(dir.resolve("none.kiln")));
            Files.writeString(dir.resolve("text.kiln"), "hello, not a zip");
            ModelFormatException e = assertCause(ModelFormatException.class, () -> Model.load(dir.resolve("text.kiln")));
            assertTrue(e.getMessage().contains("zip"), e.getMessage());
            model.close();
            assertThrows(IllegalStateException.class, () -> model.save(dir.resolve("closed.kiln")));
        }
        assertEquals(List.of("text.kiln"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void saveReplacesAnOlderFileAndLeavesNoTemporaries() throws IOException {
        Path file = dir.resolve("m.kiln");
        try (Model model = Sequential.of(Input(3), Dense(2)).compile("sgd", "mse")) {
            model.save(file);
            model.setWeights(List.of(new float[] {1, 2, 3, 4, 5, 6}, new float[] {7, 8}));
            model.save(file);
            try (Model loaded = Model.load(file)) {
                assertArrayEquals(new float[] {7, 8}, loaded.getWeights().get(1));
            }
        }
        assertEquals(List.of("m.kiln"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void pathsMayBeStrings() throws IOException {
        String file = dir.resolve("s.kiln").toString();
        String weights = dir.resolve("s.safetensors").toString();
        try (Model model = Sequential.of(Input(2), Dense(1)).compile("sgd", "mse")) {
            model.save(file);
            model.saveWeights(weights);
            model.loadWeights(weights);
            try (Model loaded = Model.load(file)) {
                assertArrayEquals(model.getWeights().get(0), loaded.getWeights().get(0));
            }
            assertThrows(IllegalArgumentException.class, () -> model.save((String) null));
        }
    }

    static void assertWeightsEqual(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "weight " + i);
        }
    }

}
