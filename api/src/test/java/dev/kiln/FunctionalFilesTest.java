package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Tensor;
import dev.kiln.io.ModelFormatException;
import dev.kiln.optimizers.SGD;
import dev.kiln.testing.UncheckedFileErrors;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Functional models in files: Keras 3.15.1's own {@code .keras} files of a residual block and of a
 * two-input model (layers named and created out of order, so that Keras' keys and names differ) load,
 * predict as Keras did and take the step Keras took next ({@code tools/keras-fixtures/
 * make_functional_fixtures.py} made them); Kiln's functional models go through {@code .kiln} and
 * {@code .keras} and come back whole.
 */
class FunctionalFilesTest {
    private static final double PREDICTION_TOLERANCE = 1e-5;
    private static final double NEXT_STEP_TOLERANCE = 1e-5;

    @TempDir
    Path dir;

    static Path fixtures() throws URISyntaxException {
        return KerasFixturesTest.fixtures().resolve("functional");
    }

    private static List<float[][]> inputs(String name) throws IOException, URISyntaxException {
        List<float[][]> xs = new ArrayList<>();
        for (int i = 0; Files.exists(fixtures().resolve(name + ".x" + i + ".npy")); i++) {
            xs.add(Tensor.fromNpy(fixtures().resolve(name + ".x" + i + ".npy")).toRows());
        }
        return xs;
    }

    @ParameterizedTest
    @ValueSource(strings = {"residual", "two_inputs", "siamese"})
    void kerasFilesPredictAndTrainAsKeras(String name) throws Exception {
        List<float[][]> x = inputs(name);
        Tensor y = Tensor.fromNpy(fixtures().resolve(name + ".y.npy"));
        try (Model model = Model.load(fixtures().resolve(name + ".keras"))) {
            KerasFixturesTest.assertClose(Tensor.fromNpy(fixtures().resolve(name + ".pred.npy")).toRows(), model.predict(x),
                    PREDICTION_TOLERANCE, name);
            long steps = model.iterations();
            FitOption[] options = {epochs(1), batchSize(x.get(0).length), shuffle(false), verbose(0)};
            if (y.rank() == 1) {
                int[] labels = new int[y.rows()];
                float[] values = y.toArray();
                for (int i = 0; i < labels.length; i++) {
                    labels[i] = (int) values[i];
                }
                model.fit(x, labels, options);
            } else {
                model.fit(x, y.toRows(), options);
            }
            assertEquals(steps + 1, model.iterations());
            KerasFixturesTest.assertClose(Tensor.fromNpy(fixtures().resolve(name + ".next_pred.npy")).toRows(),
                    model.predict(x), NEXT_STEP_TOLERANCE, name + " after a step");
        }
    }

    @Test
    void kerasOwnNamesComeThroughAndTheWeightsFindTheirLayers() throws Exception {
        try (Model model = Model.load(fixtures().resolve("two_inputs.keras"))) {
            // Keras' file names the Dense 'late' (its weights file keys it dense_2, by class and place) and
            // the second Input 'b_in'; Kiln keeps the layers' names and names its Inputs itself.
            assertEquals(List.of("input_layer", "dense", "dense_1", "input_layer_1", "add", "late", "concatenate",
                    "dense_2", "dense_3", "multiply", "dense_4"), model.layerNames());
            assertEquals(List.of("input_layer", "dense", "dense_1", "input_layer_1", "add", "dense_2", "concatenate",
                    "dense_3", "dense_4", "multiply", "dense_5"), model.weightKeys());
        }
    }

    @Test
    void kerasSharedLayersAreLayersOnce() throws Exception {
        try (Model model = Model.load(fixtures().resolve("siamese.keras"))) {
            // Keras lists the shared encoder (dense) and block (dense_1) once, with two inbound nodes each.
            assertEquals(List.of("input_layer", "input_layer_1", "dense", "concatenate", "dense_1", "add", "dense_2"),
                    model.layerNames());
            assertEquals(6, model.getWeights().size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"siamese.kiln", "siamese.keras"})
    void sharedLayersComeBackShared(String file) throws Exception {
        List<float[][]> x = SharedLayerTest.siameseInputs();
        float[][] y = FunctionalModelTest.rows(5, 2, 7);
        try (Model model = SharedLayerTest.siamese()) {
            model.fit(x, y, epochs(2), batchSize(2), verbose(0));
            Path path = dir.resolve(file);
            model.save(path);
            try (Model loaded = Model.load(path)) {
                assertEquals(model.layerNames(), loaded.layerNames());
                assertEquals(4, loaded.getWeights().size());
                float[][] expected = model.predict(x);
                float[][] actual = loaded.predict(x);
                for (int r = 0; r < expected.length; r++) {
                    assertArrayEquals(expected[r], actual[r], "row " + r);
                }
                model.fit(x, y, epochs(1), batchSize(5), shuffle(false), verbose(0));
                loaded.fit(x, y, epochs(1), batchSize(5), shuffle(false), verbose(0));
                for (int i = 0; i < model.getWeights().size(); i++) {
                    assertArrayEquals(model.getWeights().get(i), loaded.getWeights().get(i), "weight " + i);
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"model.kiln", "model.keras"})
    void kilnsFunctionalModelsComeBackWhole(String file) throws Exception {
        List<float[][]> x = inputs("two_inputs");
        float[][] y = Tensor.fromNpy(fixtures().resolve("two_inputs.y.npy")).toRows();
        try (Model model = FunctionalModelTest.twoInputs()) {
            model.fit(x, y, epochs(2), batchSize(4), verbose(0));
            Path path = dir.resolve(file);
            model.save(path);
            try (Model loaded = Model.load(path)) {
                assertEquals(model.layerNames(), loaded.layerNames());
                assertEquals(model.iterations(), loaded.iterations());
                float[][] expected = model.predict(x);
                float[][] actual = loaded.predict(x);
                for (int r = 0; r < expected.length; r++) {
                    assertArrayEquals(expected[r], actual[r], "row " + r);
                }
                if (file.endsWith(".kiln")) { // keeps the seeds: training resumes bit for bit
                    model.fit(x, y, epochs(1), batchSize(4), verbose(0));
                    loaded.fit(x, y, epochs(1), batchSize(4), verbose(0));
                    for (int i = 0; i < model.getWeights().size(); i++) {
                        assertArrayEquals(model.getWeights().get(i), loaded.getWeights().get(i), "weight " + i);
                    }
                }
            }
        }
    }

    /** Keras' two-output file: a loss, loss weight and metrics per output, read from its compile_config lists. */
    @Test
    void kerasTwoOutputFilePredictsAndTrainsAsKeras() throws Exception {
        List<float[][]> x = inputs("two_outputs");
        float[] labelValues = Tensor.fromNpy(fixtures().resolve("two_outputs.y0.npy")).toArray();
        int[] labels = new int[labelValues.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = (int) labelValues[i];
        }
        List<Object> y = List.of(labels, Tensor.fromNpy(fixtures().resolve("two_outputs.y1.npy")).toRows());
        try (Model model = Model.load(fixtures().resolve("two_outputs.keras"))) {
            List<float[][]> before = model.predictOutputs(x);
            for (int k = 0; k < 2; k++) {
                KerasFixturesTest.assertClose(Tensor.fromNpy(fixtures().resolve("two_outputs.pred" + k + ".npy")).toRows(),
                        before.get(k), PREDICTION_TOLERANCE, "output " + k);
            }
            long steps = model.iterations();
            History h = model.fit(x, y, epochs(1), batchSize(x.get(0).length), shuffle(false), verbose(0));
            assertEquals(List.of("kind_accuracy", "kind_loss", "loss", "size_loss", "size_mae"),
                    List.copyOf(h.history().keySet()));
            assertEquals(0.5 * h.history().get("kind_loss").get(0) + 2 * h.history().get("size_loss").get(0),
                    h.history().get("loss").get(0), 1e-5);
            assertEquals(steps + 1, model.iterations());
            List<float[][]> after = model.predictOutputs(x);
            for (int k = 0; k < 2; k++) {
                KerasFixturesTest.assertClose(Tensor.fromNpy(fixtures().resolve("two_outputs.next_pred" + k + ".npy"))
                        .toRows(), after.get(k), NEXT_STEP_TOLERANCE, "output " + k + " after a step");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"outputs.kiln", "outputs.keras"})
    void kilnsMultiOutputModelsComeBackWhole(String file) throws Exception {
        float[][] x = FunctionalModelTest.rows(7, 5, 8);
        try (Model model = MultiOutputModelTest.threeOutputs().compile(new SGD(0.1), MultiOutputModelTest.kerasLosses())) {
            model.fit(x, MultiOutputModelTest.targets(), epochs(2), batchSize(4), verbose(0));
            Path path = dir.resolve(file);
            model.save(path);
            try (Model loaded = Model.load(path)) {
                assertEquals(model.layerNames(), loaded.layerNames());
                List<float[][]> expected = model.predictOutputs(x);
                List<float[][]> actual = loaded.predictOutputs(x);
                for (int k = 0; k < expected.size(); k++) {
                    for (int r = 0; r < x.length; r++) {
                        assertArrayEquals(expected.get(k)[r], actual.get(k)[r], "output " + k + " row " + r);
                    }
                }
                // The same losses, weights and metrics: the same scores under the same names.
                assertEquals(model.evaluate(x, MultiOutputModelTest.targets()),
                        loaded.evaluate(x, MultiOutputModelTest.targets()));
            }
        }
    }

    @Test
    void unconnectedCallsAndBadOutputsAreRefusedByName() throws Exception {
        String config = configOf(fixtures().resolve("two_inputs.keras"));
        // The Dense 'late' applied a second time, but nothing reads that second call.
        String shared = edited(config, "(\"name\": \"late\",\\s*\"inbound_nodes\": \\[)(\\{.*?\"kwargs\": \\{\\}\\s*\\})",
                "$1$2, $2");
        var e = UncheckedFileErrors.assertCause(ModelFormatException.class, () -> Model.load(withConfig(shared)));
        assertTrue(e.getMessage().contains("applies its layers 12 times, but only 11 of these calls lead to the output"), e.getMessage());
        String noSuchCall = edited(config, "\"keras_history\": \\[\"late\", 0", "\"keras_history\": [\"late\", 1");
        e = UncheckedFileErrors.assertCause(ModelFormatException.class, () -> Model.load(withConfig(noSuchCall)));
        assertTrue(e.getMessage().contains("reads call 1 of layer 'late', which is applied 1 time(s)"), e.getMessage());
        String twoOutputs = edited(config, "\"output_layers\": \\[([^\\]]*)\\]",
                "\"output_layers\": [[$1], [\"dense_3\", 0, 0]]");
        e = UncheckedFileErrors.assertCause(ModelFormatException.class, () -> Model.load(withConfig(twoOutputs)));
        // Two outputs are fine, but Keras reads a flat metric list as one metric per output.
        assertTrue(e.getMessage().contains("metrics lists 1 entries for a model with 2 outputs; expected one per output"),
                e.getMessage());
        String twice = edited(config, "\"output_layers\": \\[([^\\]]*)\\]", "\"output_layers\": [[$1], [$1]]");
        e = UncheckedFileErrors.assertCause(ModelFormatException.class, () -> Model.load(withConfig(twice)));
        assertTrue(e.getMessage().contains("which is not a layer call listed once"), e.getMessage());
        String unknown = edited(config, "\"keras_history\": \\[\"late\"", "\"keras_history\": [\"nowhere\"");
        e = UncheckedFileErrors.assertCause(ModelFormatException.class, () -> Model.load(withConfig(unknown)));
        assertTrue(e.getMessage().contains("names layer 'nowhere', which is not listed"),
                e.getMessage());
        String kwargs = edited(config, "\"kwargs\": \\{\\}", "\"kwargs\": {\"training\": true}");
        e = UncheckedFileErrors.assertCause(ModelFormatException.class, () -> Model.load(withConfig(kwargs)));
        assertTrue(e.getMessage().contains("kwargs must be empty"), e.getMessage());
    }

    /** {@code config} with the first match of {@code regex} replaced; fails when nothing matched. */
    private static String edited(String config, String regex, String replacement) {
        String out = config.replaceFirst(regex, replacement);
        assertTrue(!out.equals(config), "the fixture no longer has " + regex);
        return out;
    }

    private static String configOf(Path keras) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(keras))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null;) {
                if (e.getName().equals("config.json")) {
                    return new String(zip.readAllBytes(), StandardCharsets.UTF_8);
                }
            }
        }
        throw new IOException("no config.json in " + keras);
    }

    /** The two-input fixture with its config.json replaced (every other entry copied as it is). */
    private Path withConfig(String config) throws Exception {
        Path out = dir.resolve("edited.keras");
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(fixtures().resolve("two_inputs.keras")));
                ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                byte[] bytes = e.getName().equals("config.json") ? config.getBytes(StandardCharsets.UTF_8)
                        : in.readAllBytes();
                ZipEntry copy = new ZipEntry(e.getName());
                if (e.getMethod() == ZipEntry.STORED) {
                    copy.setMethod(ZipEntry.STORED);
                    copy.setSize(bytes.length);
                    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                    crc.update(bytes);
                    copy.setCrc(crc.getValue());
                }
                zip.putNextEntry(copy);
                zip.write(bytes);
                zip.closeEntry();
            }
        }
        return out;
    }
}
