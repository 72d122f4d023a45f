package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Concatenate;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.io.ModelFormatException;
import dev.kiln.layers.CustomLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.SymbolicTensor;
import dev.kiln.ops.Ops;
import dev.kiln.optimizers.SGD;
import dev.kiln.testing.UncheckedFileErrors;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's own layers written with {@link Ops}: a Dense restated with {@code Ops.matmul} trains as the
 * built-in Dense, a small layer gives Keras 3.15.1's numbers (JAX backend; the same layer as a
 * {@code keras.layers.Layer} subclass with {@code add_weight} and {@code keras.ops}), and it works in
 * functional models, summary, getWeights/setWeights and with its layer frozen, and saves and loads by
 * its registered name.
 */
class CustomLayerTest {
    private static final float[][] X = new float[10][3];
    private static final float[][] Y = new float[10][2];
    private static final float[] K = {0.2f, -0.3f, 0.1f, 0.4f, -0.5f, 0.25f};
    private static final float[] B = {0.01f, -0.02f};

    static {
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 3; j++) {
                X[i][j] = (float) ((i * 7 + j * 3) % 11 / 10.0 - 0.5);
            }
            Y[i][0] = (float) Math.sin(i) * 2.5f;
            Y[i][1] = (float) ((i % 4) - 1.5);
        }
    }

    static CustomLayer myDense(int units) {
        return Layers.custom("test_pkg>MyDense")
                .weight("kernel", features -> new int[] {features, units}, "glorot_uniform")
                .weight("bias", features -> new int[] {units}, "zeros")
                .call((x, w) -> Ops.add(Ops.matmul(x, w.get("kernel")), w.get("bias")));
    }

    /** tanh(x·K + b)·s + mean(x): a kernel, a bias and a scalar weight, broadcasting a per-sample value. */
    static CustomLayer gated() {
        return Layers.custom("test_pkg>Gated")
                .weight("kernel", features -> new int[] {features, 2}, "glorot_uniform")
                .weight("bias", features -> new int[] {2}, "zeros")
                .weight("scale", features -> new int[] {}, "ones")
                .call((x, w) -> Ops.add(Ops.multiply(Ops.tanh(Ops.add(Ops.matmul(x, w.get("kernel")), w.get("bias"))),
                        w.get("scale")), Ops.mean(x, -1)));
    }

    @Test
    void aDenseWrittenWithOpsTrainsAsTheBuiltInDense() {
        float[] k1 = {0.2f, -0.3f, 0.1f, 0.4f, -0.5f, 0.25f, 0.3f, -0.1f, 0.15f, 0.05f, -0.2f, 0.35f};
        float[] b1 = {0.01f, -0.02f, 0.03f, 0f};
        float[] k2 = {0.3f, -0.2f, 0.1f, 0.4f, -0.25f, 0.2f, 0.05f, -0.1f};
        try (Model builtIn = Sequential.of(Input(3), Dense(4, "tanh"), Dense(2)).compile(new SGD(0.05), "mse");
                Model custom = Sequential.of(Input(3), myDense(4), Layers.Activation("tanh"), myDense(2))
                        .compile(new SGD(0.05), "mse")) {
            List<float[]> initial = List.of(k1, b1, k2, new float[] {0.02f, -0.01f});
            builtIn.setWeights(initial);
            custom.setWeights(initial);
            History ha = builtIn.fit(X, Y, batchSize(4), epochs(3), shuffle(false), verbose(0));
            History hb = custom.fit(X, Y, batchSize(4), epochs(3), shuffle(false), verbose(0));
            for (int e = 0; e < 3; e++) {
                assertEquals(ha.history().get("loss").get(e), hb.history().get("loss").get(e), 1e-5);
            }
            for (int p = 0; p < 4; p++) {
                assertArrayEquals(builtIn.getWeights().get(p), custom.getWeights().get(p), 1e-5f, "weight " + p);
                assertTrue(!java.util.Arrays.equals(initial.get(p), custom.getWeights().get(p)), "weight " + p
                        + " trained");
            }
        }
    }

    @Test
    void aCustomLayerGivesKerasNumbers() {
        try (Model m = Sequential.of(Input(3), gated()).compile(new SGD(0.1), "mse")) {
            m.setWeights(List.of(K, B, new float[] {1.5f}));
            History h = m.fit(X, Y, batchSize(4), epochs(2), shuffle(false), verbose(0));
            assertEquals(2.348721981048584, h.history().get("loss").get(0), 1e-5);
            assertEquals(2.17128849029541, h.history().get("loss").get(1), 1e-5);
            assertArrayEquals(new float[] {0.0784747451543808f, -0.09179393202066422f, 0.050105128437280655f,
                0.3431656062602997f, -0.42818811535835266f, 0.18210655450820923f}, m.getWeights().get(0), 1e-5f);
            assertArrayEquals(new float[] {0.42926812171936035f, -0.1762278825044632f}, m.getWeights().get(1), 1e-5f);
            assertArrayEquals(new float[] {1.3841831684112549f}, m.getWeights().get(2), 1e-5f);
            float[][] p = m.predict(new float[][] {X[0], X[1], X[2]});
            assertArrayEquals(new float[] {0.2498142272233963f, -0.4475061297416687f}, p[0], 1e-5f);
            assertArrayEquals(new float[] {0.8752021193504333f, 0.026086509227752686f}, p[1], 1e-5f);
            assertArrayEquals(new float[] {0.4355078339576721f, 0.029868314042687416f}, p[2], 1e-5f);
        }
    }

    @Test
    void summaryCountsItsWeightsUnderKerasNames() {
        try (Model m = Sequential.of(Input(3), gated(), Dense(1)).compile("sgd", "mse")) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            m.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String summary = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(summary.contains("gated (Gated)"), summary);
            assertTrue(summary.contains("Total params: 12"), summary); // 6 + 2 + 1, then Dense 2 + 1
        }
    }

    @Test
    void aFrozenCustomLayerKeepsItsWeightsInAFunctionalModel() {
        InputLayer in = Input(3);
        SymbolicTensor out = Dense(1).apply(gated().apply(in));
        try (Model m = Model.of(in, out).compile(new SGD(0.1), "mse")) {
            m.getLayer("gated").setTrainable(false);
            m.compile(new SGD(0.1), "mse");
            List<float[]> before = m.getWeights();
            m.fit(X, new float[10][1], batchSize(4), epochs(1), verbose(0));
            assertArrayEquals(before.get(0), m.getWeights().get(0));
            assertArrayEquals(before.get(2), m.getWeights().get(2));
            assertTrue(!java.util.Arrays.equals(before.get(3), m.getWeights().get(3)), "the Dense after it trains");
        }
    }

    @Test
    void aModelWithACustomLayerSavesItsRegisteredNameAndLoadsOnceItIsRegistered(@TempDir Path dir) throws Exception {
        CustomLayer layer = gated();
        for (String file : List.of("custom.keras", "custom.kiln")) {
            Path path = dir.resolve(file);
            Kiln.registerCustomObject(layer);
            try (Model m = Sequential.of(Input(3), layer, Dense(2)).compile(new SGD(0.1), "mse")) {
                m.fit(X, Y, batchSize(4), epochs(1), shuffle(false), verbose(0));
                m.save(path);
                JsonNode entry;
                try (ZipFile zip = new ZipFile(path.toFile())) {
                    entry = new ObjectMapper().readTree(zip.getInputStream(zip.getEntry("config.json")))
                            .path("config").path("layers").get(1);
                }
                // as Keras 3.15.1 writes a register_keras_serializable(package=...) layer
                assertTrue(entry.get("module").isNull(), entry.toString());
                assertEquals("Gated", entry.get("class_name").asText());
                assertEquals("test_pkg>Gated", entry.get("registered_name").asText());
                assertEquals("gated", entry.path("config").path("name").asText());

                Kiln.unregisterCustomObject(layer.registeredName());
                ModelFormatException missing = UncheckedFileErrors.assertCause(ModelFormatException.class,
                        () -> Model.load(path));
                assertTrue(missing.getMessage().contains("'test_pkg>Gated' is a custom layer that is not registered")
                        && missing.getMessage().contains("Layers.custom(\"test_pkg>Gated\")"), missing.getMessage());
                Kiln.registerCustomObject(layer);
                try (Model again = Model.load(path)) {
                    assertEquals(m.evaluate(X, Y), again.evaluate(X, Y));
                    History ha = m.fit(X, Y, batchSize(4), epochs(1), shuffle(false), verbose(0));
                    History hb = again.fit(X, Y, batchSize(4), epochs(1), shuffle(false), verbose(0));
                    assertEquals(ha.history(), hb.history());
                }
            } finally {
                Kiln.unregisterCustomObject(layer.registeredName());
            }
        }
    }

    @Test
    void aFunctionalModelWithACustomLayerComesBackWhole(@TempDir Path dir) {
        CustomLayer layer = gated();
        Kiln.registerCustomObject(layer);
        try {
            for (String file : List.of("functional.keras", "functional.kiln")) {
                InputLayer in = Input(3);
                SymbolicTensor h = layer.apply(in);
                SymbolicTensor out = Dense(2).apply(Concatenate().apply(h, Dense(2).apply(in)));
                try (Model m = Model.of(in, out).compile(new SGD(0.1), "mse")) {
                    m.fit(X, Y, batchSize(4), epochs(1), shuffle(false), verbose(0));
                    m.save(dir.resolve(file));
                    try (Model again = Model.load(dir.resolve(file))) {
                        assertEquals(m.evaluate(X, Y), again.evaluate(X, Y), file);
                    }
                }
            }
        } finally {
            Kiln.unregisterCustomObject(layer.registeredName());
        }
    }

    /** A .keras file Keras 3.15.1 wrote (tools/keras-fixtures/custom_layer.py) loads once the layer is defined. */
    @Test
    void aKerasFileWithARegisteredLayerLoadsWithTheSameLayerWrittenInKiln() throws Exception {
        Path path = Path.of(CustomLayerTest.class.getResource("/dev/kiln/keras-custom/gated.keras").toURI());
        Kiln.unregisterCustomObject("my_pkg>Gated");
        ModelFormatException missing = UncheckedFileErrors.assertCause(ModelFormatException.class,
                () -> Model.load(path));
        assertTrue(missing.getMessage().contains("'my_pkg>Gated' is a custom layer that is not registered"),
                missing.getMessage());
        CustomLayer layer = Layers.custom("my_pkg>Gated")
                .weight("kernel", features -> new int[] {features, 2}, "glorot_uniform")
                .weight("bias", features -> new int[] {2}, "zeros")
                .weight("scale", features -> new int[] {}, "ones")
                .call((x, w) -> Ops.add(Ops.multiply(Ops.tanh(Ops.add(Ops.matmul(x, w.get("kernel")), w.get("bias"))),
                        w.get("scale")), Ops.mean(x, -1)));
        try (Model m = Model.load(path)) {
            assertArrayEquals(new float[] {-0.14197197556495667f, -0.015750234946608543f},
                    m.predict(new float[][] {{0.1f, -0.2f, 0.3f}})[0], 1e-6f);
            assertEquals(1.5f, m.getWeights().get(2)[0]);
        } finally {
            Kiln.unregisterCustomObject(layer.registeredName());
        }
    }

    @Test
    void badLayersAreRefusedByName() {
        IllegalArgumentException unused = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(3), Layers.custom("test_pkg>Unused")
                        .weight("w", features -> new int[] {features}, "ones")
                        .call((x, w) -> Ops.relu(x))).compile("sgd", "mse"));
        assertTrue(unused.getMessage().contains("declares the weight 'w' but its call does not use it"),
                unused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Layers.custom("test_pkg>Bad")
                .weight("w", features -> new int[] {features}, "no_such_initializer"));
        IllegalArgumentException wrongWidth = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(3), Layers.custom("test_pkg>Wrong")
                        .weight("b", features -> new int[] {features + 1}, "zeros")
                        .call((x, w) -> Ops.add(x, w.get("b")))).compile("sgd", "mse"));
        assertTrue(wrongWidth.getMessage().contains("cannot broadcast rows of 3 features against a weight of 4 values"),
                wrongWidth.getMessage());
    }
}
