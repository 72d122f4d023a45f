package dev.kiln;

import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Conv2D;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layers.DenseLayer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Looking inside a model as a Keras user does: layers by name or index, their weights with shapes. */
class IntrospectionTest {
    @TempDir
    Path dir;

    @Test
    void layersLeaveTheInputOutAndCarryKerasNames() {
        try (Model m = Sequential.of(Input(4), Dense(3, "relu"), Dropout(0.1), Dense(2), Dense(1)).compile("sgd", "mse")) {
            assertEquals(List.of("dense", "dropout", "dense_1", "dense_2"), m.layers().stream().map(ModelLayer::name).toList());
            assertEquals("Dense", m.layers().get(0).typeName());
            assertEquals(new DenseLayer(3, "relu", true, "glorot_uniform", "zeros"), m.getLayer(0).layer());
            assertEquals("dense_1", m.getLayer(2).name());
            assertEquals(m.getLayer(2).name(), m.getLayer("dense_1").name());
        }
    }

    @Test
    void aNamedLayerKeepsItsNameAndTheOthersAreCountedWithoutIt() {
        // Keras 3.15.1: [Dense(name="encoder"), Dense(), BatchNormalization(), Dense(name="head")] are named
        // encoder, dense, batch_normalization, head.
        try (Model m = Sequential.of(Input(4), Dense(3, "relu").named("encoder"), Dense(2), BatchNormalization(),
                Dense(2, "softmax").named("head")).compile("adam", "sparse_categorical_crossentropy")) {
            assertEquals(List.of("encoder", "dense", "batch_normalization", "head"),
                    m.layers().stream().map(ModelLayer::name).toList());
            assertEquals(List.of("encoder/kernel", "encoder/bias"),
                    m.getLayer("encoder").weights().stream().map(Weight::name).toList());
            String s = summary(m);
            assertTrue(s.contains("encoder (Dense)") && s.contains("head (Dense)") && s.contains("dense (Dense)"), s);
        }
    }

    @Test
    void weightsComeWithTheirShapes() {
        try (Model m = Sequential.of(Input(6, 6, 1), Conv2D(2, 3), Flatten(), Dense(3)).compile("sgd", "mse")) {
            assertEquals(List.of("conv2d/kernel [3, 3, 1, 2]", "conv2d/bias [2]", "dense/kernel [32, 3]", "dense/bias [3]"),
                    m.weights().stream().map(Weight::toString).toList());
            List<float[]> flat = m.getWeights();
            for (int i = 0; i < flat.size(); i++) {
                assertArrayEquals(flat.get(i), m.weights().get(i).values());
            }
            Weight kernel = m.getLayer("dense").weights().get(0);
            assertArrayEquals(new int[] {32, 3}, kernel.shape());
            assertEquals(96, kernel.size());
            assertEquals(List.of(), m.getLayer("flatten").weights());
            assertEquals(2 * 9 + 2, m.getLayer(0).countParams());
        }
    }

    @Test
    void aLayersWeightsAreReadAndReplacedAlone() {
        try (Model m = Sequential.of(Input(2), Dense(2), Dense(1)).compile("sgd", "mse")) {
            List<float[]> before = m.getWeights();
            ModelLayer head = m.getLayer("dense_1");
            head.setWeights(List.of(new float[] {0.5f, -0.5f}, new float[] {0.25f}));
            assertArrayEquals(new float[] {0.5f, -0.5f}, head.getWeights().get(0));
            assertArrayEquals(new float[] {0.25f}, m.getWeights().get(3));
            assertArrayEquals(before.get(0), m.getWeights().get(0)); // the other layer unchanged
            assertEquals(0.25f, m.predict(new float[][] {{0f, 0f}})[0][0], 1e-6f); // zero input: the head's bias

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> head.setWeights(List.of(new float[] {1f, 2f, 3f}, new float[] {0f})));
            assertTrue(e.getMessage().contains("dense_1/kernel") && e.getMessage().contains("needs 2 values"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> head.setWeights(List.of(new float[] {1f, 2f})));
            assertTrue(e.getMessage().contains("has 2 weights"), e.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> head.setWeights(List.of(new float[] {Float.NaN, 2f}, new float[] {0f})));
            assertArrayEquals(new float[] {0.5f, -0.5f}, head.getWeights().get(0), "a refused set changes nothing");
        }
    }

    @Test
    void unknownNamesAndIndicesAreRefusedWithTheChoices() {
        try (Model m = Sequential.of(Input(2), Dense(2), Dense(1)).compile("sgd", "mse")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.getLayer("dense_2"));
            assertTrue(e.getMessage().contains("'dense_2'") && e.getMessage().contains("[dense, dense_1]"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> m.getLayer(2));
            assertTrue(e.getMessage().contains("index 2") && e.getMessage().contains("0 to 1"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> m.getLayer(-1));
        }
    }

    @Test
    void duplicateAndMalformedNamesAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(2), Dense(2).named("a"), Dense(1).named("a")).compile("sgd", "mse"));
        assertTrue(e.getMessage().contains("both named 'a'"), e.getMessage());
        // A given name that an automatic one takes too, as Keras refuses it in a fresh session.
        e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(2), Dense(2).named("dense"), Dense(1)).compile("sgd", "mse"));
        assertTrue(e.getMessage().contains("both named 'dense'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Dense(2).named("a/b"));
        assertThrows(IllegalArgumentException.class, () -> Dense(2).named(" "));
        assertThrows(IllegalArgumentException.class, () -> Dense(2).named(null));
        assertThrows(IllegalArgumentException.class, () -> Input(2).named("in"));
        assertEquals("b", Dense(2).named("a").named("b").name());
    }

    @Test
    void anUnbuiltModelHasLayersButNoWeightsYet() {
        try (Model m = Sequential.of(Dense(3), Dense(1)).compile("sgd", "mse")) {
            assertEquals(2, m.layers().size());
            assertEquals(List.of(), m.weights());
            assertEquals(List.of(), m.getLayer(0).weights());
            assertThrows(IllegalStateException.class, () -> m.getLayer(0).setWeights(List.of()));
            m.predict(new float[][] {{1f, 2f}});
            assertEquals("dense/kernel [2, 3]", m.getLayer(0).weights().get(0).toString());
        }
    }

    @Test
    void namesAreSavedAndLoadedAndTheKerasWeightsFileKeysLayersByClassAndPlace() throws IOException {
        float[][] x = {{1f, 2f}, {0.5f, -1f}};
        for (String file : List.of("named.kiln", "named.keras")) {
            Path path = dir.resolve(file);
            float[][] before;
            try (Model m = Sequential.of(Input(2), Dense(3, "tanh").named("encoder"), Dense(1).named("head"))
                    .compile("adam", "mse")) {
                before = m.predict(x);
                m.save(path);
            }
            try (Model loaded = Model.load(path)) {
                assertEquals(List.of("encoder", "head"), loaded.layers().stream().map(ModelLayer::name).toList(), file);
                assertEquals("head/kernel", loaded.getLayer("head").weights().get(0).name());
                assertArrayEquals(before[1], loaded.predict(x)[1], file);
            }
        }
        // Keras' .weights.h5 keys by class and place (dense, dense_1), so it moves between differently named models.
        Path h5 = dir.resolve("w.weights.h5");
        try (Model named = Sequential.of(Input(2), Dense(3).named("encoder"), Dense(1).named("head")).compile("sgd", "mse");
                Model plain = Sequential.of(Input(2), Dense(3), Dense(1)).compile("sgd", "mse")) {
            named.saveWeights(h5);
            plain.loadWeights(h5);
            assertArrayEquals(named.getWeights().get(2), plain.getWeights().get(2));
        }
    }

    @Test
    void aHandleFollowsTheModelAndDiesWithIt() {
        Model m = Sequential.of(Input(2), Dense(1)).compile("sgd", "mse");
        ModelLayer layer = m.getLayer(0);
        float before = layer.getWeights().get(0)[0];
        m.fit(new float[][] {{1f, 1f}}, new float[][] {{5f}}, epochs(1), verbose(0));
        assertTrue(layer.getWeights().get(0)[0] != before, "the handle reads the model's current weights");
        m.close();
        assertThrows(IllegalStateException.class, layer::weights);
        assertThrows(IllegalStateException.class, m::layers);
    }

    private static String summary(Model m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        m.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
