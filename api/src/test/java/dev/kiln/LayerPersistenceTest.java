package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.AveragePooling2D;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Conv2D;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.GlobalAveragePooling2D;
import static dev.kiln.Layers.GlobalMaxPooling2D;
import static dev.kiln.Layers.Input;
import static dev.kiln.Layers.LayerNormalization;
import static dev.kiln.Layers.MaxPooling2D;
import static dev.kiln.Layers.Reshape;
import static dev.kiln.ModelFilesTest.assertWeightsEqual;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.io.KilnArchive;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.io.SafeTensors;
import dev.kiln.layers.Layer;
import dev.kiln.metrics.AUC;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.metrics.Precision;
import dev.kiln.metrics.Recall;
import dev.kiln.metrics.SparseTopKCategoricalAccuracy;
import dev.kiln.metrics.TopKCategoricalAccuracy;
import dev.kiln.regularizers.L1;
import dev.kiln.regularizers.L1L2;
import dev.kiln.regularizers.L2;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * save → load of the layers added after the MVP (Flatten with a multi-dimensional Input,
 * LayerNormalization, BatchNormalization with its moving statistics, the convolution and pooling layers),
 * Dense and Conv2D regularizers and the
 * metric objects: predictions bit-identical, and one more epoch on both copies gives bit-identical
 * weights.
 */
class LayerPersistenceTest {
    @TempDir
    Path dir;

    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("flatten", (Supplier<List<Layer>>) () -> List.of(Input(2, 3), Flatten(), Dense(7, "relu"),
                        Dense(3, "softmax"))),
                Arguments.of("layer_normalization", (Supplier<List<Layer>>) () -> List.of(Input(6), Dense(8, "relu"),
                        LayerNormalization().epsilon(1e-5), Dense(3, "softmax"))),
                Arguments.of("layer_normalization_no_center", (Supplier<List<Layer>>) () -> List.of(Input(6),
                        Dense(8), LayerNormalization().center(false), Dense(3, "softmax"))),
                Arguments.of("layer_normalization_no_scale", (Supplier<List<Layer>>) () -> List.of(Input(6),
                        Dense(8), LayerNormalization().scale(false), Dense(3, "softmax"))),
                Arguments.of("batch_normalization", (Supplier<List<Layer>>) () -> List.of(Input(2, 3), Flatten(),
                        Dense(8), BatchNormalization().momentum(0.9).epsilon(1e-4), Dense(3, "softmax"))),
                Arguments.of("normalization_of_images", (Supplier<List<Layer>>) () -> List.of(Input(1, 2, 3),
                        BatchNormalization(), LayerNormalization(), Flatten(), Dense(3, "softmax"))),
                Arguments.of("batch_normalization_no_center_no_scale", (Supplier<List<Layer>>) () -> List.of(Input(6),
                        Dense(8), BatchNormalization().center(false).scale(false), Dropout(0.2), Dense(3, "softmax"))),
                Arguments.of("l1", (Supplier<List<Layer>>) () -> List.of(Input(6),
                        Dense(8, "relu").kernelRegularizer(new L1(0.003)), Dense(3, "softmax"))),
                Arguments.of("l2", (Supplier<List<Layer>>) () -> List.of(Input(6),
                        Dense(8, "relu").kernelRegularizer(new L2(0.02)).biasRegularizer("l2"), Dense(3, "softmax"))),
                Arguments.of("l1_l2", (Supplier<List<Layer>>) () -> List.of(Input(6),
                        Dense(8, "relu").biasRegularizer(new L1L2(0.001, 0.03)),
                        Dense(3, "softmax").kernelRegularizer("l1_l2"))),
                Arguments.of("convnet", (Supplier<List<Layer>>) () -> List.of(Input(6), Reshape(2, 3, 1),
                        Conv2D(4, 2, "relu").padding("same"), MaxPooling2D(2).strides(1).padding("same"),
                        Conv2D(5, 2, "tanh").useBias(false).kernelRegularizer("l2"), Flatten(), Dense(3, "softmax"))),
                Arguments.of("average_and_global_max_pooling", (Supplier<List<Layer>>) () -> List.of(Input(6),
                        Reshape(3, -1, 1), Conv2D(4, 2).padding("same"), AveragePooling2D(2).padding("same"),
                        GlobalMaxPooling2D(), Dense(3, "softmax"))),
                Arguments.of("global_average_pooling", (Supplier<List<Layer>>) () -> List.of(Input(3, 2, 1),
                        Conv2D(4, 3, "gelu").padding("same").strides(2), GlobalAveragePooling2D(), Dense(3, "softmax"))));
    }

    private static Model compiled(List<Layer> layers) {
        return Sequential.of(layers.toArray(Layer[]::new)).compile("adam", "sparse_categorical_crossentropy",
                "accuracy");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void roundTripPredictsAndTrainsBitIdentically(String label, Supplier<List<Layer>> layers) throws IOException {
        Kiln.setSeed(21);
        float[][] x = ModelFilesTest.inputs(48, 6, 5);
        int[] y = ModelFilesTest.labels(x, 3);
        Path file = dir.resolve(label + ".kiln");
        try (Model original = compiled(layers.get())) {
            original.fit(x, y, epochs(2), batchSize(16), shuffle(false), verbose(0));
            original.save(file);
            try (Model loaded = Model.load(file)) {
                assertEquals(original.layerSpecs(), loaded.layerSpecs());
                assertEquals(original.layerNames(), loaded.layerNames());
                assertWeightsEqual(original.getWeights(), loaded.getWeights());
                float[][] expected = original.predict(x);
                float[][] actual = loaded.predict(x);
                for (int i = 0; i < x.length; i++) {
                    assertArrayEquals(expected[i], actual[i], "row " + i);
                }
                original.fit(x, y, epochs(1), batchSize(16), shuffle(false), verbose(0));
                loaded.fit(x, y, epochs(1), batchSize(16), shuffle(false), verbose(0));
                assertWeightsEqual(original.getWeights(), loaded.getWeights());
                assertEquals(original.evaluate(x, y), loaded.evaluate(x, y));
            }
        }
    }

    @Test
    void batchNormalizationMovingStatisticsAreSavedUnderKerasNamesAndRestoredExactly() throws IOException {
        Kiln.setSeed(4);
        float[][] x = ModelFilesTest.inputs(32, 6, 9);
        int[] y = ModelFilesTest.labels(x, 3);
        Path file = dir.resolve("bn.kiln");
        try (Model original = compiled(List.of(Input(6), BatchNormalization(), LayerNormalization(),
                Dense(3, "softmax")))) {
            original.fit(x, y, epochs(1), batchSize(8), shuffle(false), verbose(0));
            original.save(file);
            byte[] bytes = Files.readAllBytes(file);
            KilnArchive.Parts parts = KilnArchive.read(new ByteArrayInputStream(bytes), bytes.length, "bn");
            SafeTensors.Contents contents = SafeTensors.read(new ByteArrayInputStream(parts.weights()),
                    parts.weights().length, "bn");
            for (String name : List.of("batch_normalization/gamma", "batch_normalization/beta",
                    "batch_normalization/moving_mean", "batch_normalization/moving_variance",
                    "layer_normalization/gamma", "layer_normalization/beta")) {
                assertTrue(contents.tensors().containsKey(name), name + " in " + contents.tensors().keySet());
            }
            // fit moved the statistics away from their initial zeros and ones, so the check below can fail.
            float[] movingMean = contents.tensors().get("batch_normalization/moving_mean").values();
            float[] movingVariance = contents.tensors().get("batch_normalization/moving_variance").values();
            assertFalse(java.util.Arrays.equals(movingMean, new float[6]));
            assertTrue(movingVariance[0] != 1f);
            try (Model loaded = Model.load(file)) {
                assertWeightsEqual(original.getWeights(), loaded.getWeights());
                // BatchNormalization: gamma, beta, moving_mean, moving_variance; LayerNormalization: gamma, beta; Dense.
                assertEquals(6 * 4 + 6 * 2 + 6 * 3 + 3L, loaded.getWeights().stream()
                        .mapToLong(w -> w.length).sum());
            }
            String json = new String(parts.config(), StandardCharsets.UTF_8);
            assertTrue(json.contains("\"moving_variance_initializer\""), json);
        }
    }

    @Test
    void multiDimensionalInputKeepsItsShape() throws IOException {
        Path file = dir.resolve("shape.kiln");
        try (Model original = compiled(List.of(Input(4, 7), Flatten(), Dense(3, "softmax")))) {
            original.save(file);
            byte[] bytes = Files.readAllBytes(file);
            String json = new String(KilnArchive.read(new ByteArrayInputStream(bytes), bytes.length, "s").config(),
                    StandardCharsets.UTF_8);
            assertTrue(json.replaceAll("\\s", "").contains("\"batch_shape\":[null,4,7]"), json);
            assertTrue(json.replaceAll("\\s", "").contains("\"input_shape\":[null,4,7]"), json);
            try (Model loaded = Model.load(file)) {
                assertEquals(original.layerSpecs(), loaded.layerSpecs());
                assertWeightsEqual(original.getWeights(), loaded.getWeights());
            }
        }
    }

    @Test
    void metricObjectsKeepTheirOptionsAndNames() throws IOException {
        Kiln.setSeed(8);
        float[][] x = ModelFilesTest.inputs(40, 6, 3);
        int[] y = ModelFilesTest.labels(x, 3);
        Path file = dir.resolve("metrics.kiln");
        try (Model original = Sequential.of(Input(6), Dense(3, "softmax")).compile("adam",
                "sparse_categorical_crossentropy", Metrics.resolve("accuracy"), Metrics.resolve("precision"),
                new Precision(0.7).classId(1).named("p1"), new Recall().topK(1).named("r_top1"),
                new AUC(50).named("auc50"), new SparseTopKCategoricalAccuracy(2).named("top2"),
                Metrics.resolve("sparse_top_k_categorical_accuracy"))) {
            original.fit(x, y, epochs(1), batchSize(8), shuffle(false), verbose(0));
            original.save(file);
            try (Model loaded = Model.load(file)) {
                List<Metric> before = original.metrics();
                List<Metric> after = loaded.metrics();
                assertEquals(before.stream().map(Metric::name).toList(), after.stream().map(Metric::name).toList());
                for (int i = 0; i < before.size(); i++) {
                    assertEquals(before.get(i).getClass(), after.get(i).getClass(), before.get(i).name());
                }
                Precision p1 = assertInstanceOf(Precision.class, after.get(2));
                assertEquals((float) 0.7, (float) p1.threshold());
                assertEquals(1, p1.classId());
                assertEquals(0, p1.topK());
                Recall r = assertInstanceOf(Recall.class, after.get(3));
                assertEquals(1, r.topK());
                assertTrue(Double.isNaN(r.threshold()));
                assertEquals(50, assertInstanceOf(AUC.class, after.get(4)).numThresholds());
                assertEquals(2, assertInstanceOf(SparseTopKCategoricalAccuracy.class, after.get(5)).k());
                assertEquals(5, assertInstanceOf(SparseTopKCategoricalAccuracy.class, after.get(6)).k());
                assertEquals(original.evaluate(x, y), loaded.evaluate(x, y));
            }
        }
    }

    @Test
    void topKCategoricalAccuracyRoundTripsThroughTheConfig() throws IOException {
        ModelConfig config = new ModelConfig("test", List.of(Input(4), Dense(3, "softmax")), List.of("input_layer",
                "dense"), 4, new dev.kiln.optimizers.Adam(0.001), dev.kiln.losses.Losses.resolve(
                "categorical_crossentropy"), List.of(new TopKCategoricalAccuracy(2).named("top2")),
                new ModelConfig.TrainingState(0, 0.001, 1, 0, 0));
        ModelConfig back = ModelConfig.fromJson(config.toJson(), "t");
        TopKCategoricalAccuracy m = assertInstanceOf(TopKCategoricalAccuracy.class, back.metrics().get(0));
        assertEquals("top2", m.name());
        assertEquals(2, m.k());
    }

    static Stream<Arguments> badConfigs() {
        return Stream.of(
                Arguments.of("\"batch_shape\" : [ null, 6 ]", "\"batch_shape\" : [ null, 2, -3 ]", "batch_shape"),
                Arguments.of("\"batch_shape\" : [ null, 6 ]", "\"batch_shape\" : [ null, 65536, 65536 ]", "batch_shape"),
                Arguments.of("\"class_name\" : \"L2\"", "\"class_name\" : \"Orthogonal\"", "class_name"),
                Arguments.of("\"l2\" : 0.02", "\"l2\" : -1", "kernel_regularizer"),
                Arguments.of("\"momentum\" : 0.99", "\"momentum\" : \"fast\"", "momentum"),
                Arguments.of("\"momentum\" : 0.99", "\"momentum\" : 1.5", "momentum"),
                Arguments.of("\"rms_scaling\" : false", "\"rms_scaling\" : true", "rms_scaling"),
                Arguments.of("\"class_name\" : \"Flatten\"", "\"class_name\" : \"Conv3D\"", "BatchNormalization"),
                Arguments.of("\"thresholds\" : 0.699999988079071", "\"thresholds\" : 7", "metrics[1]"),
                Arguments.of("\"num_thresholds\" : 50", "\"num_thresholds\" : 1", "metrics[2]"));
    }

    @ParameterizedTest
    @MethodSource("badConfigs")
    void badFieldsAreRefusedNamingTheField(String from, String to, String named) throws IOException {
        ModelConfig config = new ModelConfig("test", List.of(Input(6), Flatten(),
                Dense(4).kernelRegularizer(new L2(0.02)), BatchNormalization(), LayerNormalization(),
                Dense(3, "softmax")), List.of("input_layer", "flatten", "dense", "batch_normalization",
                "layer_normalization", "dense_1"), 6, new dev.kiln.optimizers.Adam(0.001),
                dev.kiln.losses.Losses.resolve("sparse_categorical_crossentropy"),
                List.of(dev.kiln.metrics.Metrics.resolve("accuracy"), new Precision(0.7), new AUC(50)),
                new ModelConfig.TrainingState(0, 0.001, 1, 0, 0));
        String json = new String(config.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains(from), from + " in " + json);
        byte[] bad = json.replace(from, to).getBytes(StandardCharsets.UTF_8);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelConfig.fromJson(bad, "bad"));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}
