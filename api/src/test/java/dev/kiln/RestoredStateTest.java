package dev.kiln;

import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static dev.kiln.testing.UncheckedFileErrors.assertCause;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.io.KilnArchive;
import dev.kiln.io.ModelFormatException;
import dev.kiln.io.SafeTensors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * State restored from a file or handed to setWeights is checked against what its maths needs before
 * any of it is written: finite weights and optimizer slots, second moments and moving variances >= 0,
 * step counts that cannot overflow, a learning rate float32 can hold. Each was accepted before, and the
 * next fit turned every weight NaN while reporting a finite loss.
 */
class RestoredStateTest {
    private static final float[][] X = {{0.1f, 0.2f, 0.3f}, {1, -1, 0.5f}, {0.3f, 0.9f, -0.2f}, {-1, 0, 1}};
    private static final float[][] Y = {{1, 0}, {0, 1}, {0.5f, 0.5f}, {1, 1}};

    @TempDir
    Path dir;
    KilnArchive.Parts saved;
    SafeTensors.Contents tensors;

    @BeforeEach
    void saveATrainedModel() throws IOException {
        try (Model m = model()) {
            m.fit(X, Y, epochs(2), verbose(0));
            m.save(dir.resolve("m.kiln"));
        }
        byte[] bytes = Files.readAllBytes(dir.resolve("m.kiln"));
        saved = KilnArchive.read(new ByteArrayInputStream(bytes), bytes.length, "saved");
        tensors = SafeTensors.read(saved.weights(), "saved");
    }

    private static Model model() {
        Kiln.setSeed(4);
        return Sequential.of(Input(3), Dense(4, "relu"), BatchNormalization(), Dense(2)).compile("adam", "mse");
    }

    @Test
    void aLoadedTensorMustHoldWhatItsMathsNeeds() throws IOException {
        assertRefused(withElement("dense/kernel", 5, Float.NaN), saved.config(),
                "tensor 'dense/kernel' element 5 is NaN: weights must be finite numbers");
        assertRefused(withElement("batch_normalization/moving_variance", 2, -1f), saved.config(),
                "tensor 'batch_normalization/moving_variance' element 2 is -1.0: weights here must be finite numbers >= 0");
        assertRefused(withElement("optimizer/dense_1/kernel/velocity", 1, -0.5f), saved.config(),
                "tensor 'optimizer/dense_1/kernel/velocity' element 1 is -0.5: optimizer state here must be finite"
                        + " numbers >= 0");
        assertRefused(withElement("optimizer/dense/bias/momentum", 0, Float.POSITIVE_INFINITY), saved.config(),
                "tensor 'optimizer/dense/bias/momentum' element 0 is Infinity: optimizer state must be finite numbers");
    }

    @Test
    void theTrainingStateMustBeInRange() throws IOException {
        String config = new String(saved.config(), StandardCharsets.UTF_8);
        assertRefused(saved.weights(), edit(config, "\"learning_rate\" : 0.0010000000474974513", "\"learning_rate\" : 1e39"),
                "config.json.training_state.learning_rate must be a number in [0, 3.4028235E38] (a float32"
                        + " >= 0), found 1.0E39");
        assertRefused(saved.weights(), edit(config, "\"dropout_step\" : 0", "\"dropout_step\" : 9223372036854775807"),
                "config.json.training_state.dropout_step must be in [0, 4611686018427387904], found 9223372036854775807");
        // The iteration count is in both files; both say the same huge number here.
        Map<String, String> meta = new LinkedHashMap<>(tensors.metadata());
        meta.put("optimizer.iterations", Long.toString(Long.MAX_VALUE));
        byte[] weights = SafeTensors.encode(tensors.tensors(), meta);
        assertRefused(weights, edit(config, "\"iterations\" : 2", "\"iterations\" : 9223372036854775807"),
                "config.json.training_state.iterations must be in [0, 4611686018427387904], found 9223372036854775807");
    }

    @Test
    void loadWeightsRefusesWhatSetWeightsRefusesAsAFileProblem() throws IOException {
        try (Model m = model()) {
            List<float[]> before = m.getWeights();
            for (String name : List.of("dense/kernel", "batch_normalization/moving_variance")) {
                Map<String, SafeTensors.Entry> weightsOnly = new LinkedHashMap<>();
                tensors.tensors().forEach((k, v) -> {
                    if (!k.startsWith("optimizer/")) {
                        weightsOnly.put(k, v);
                    }
                });
                float[] bad = weightsOnly.get(name).values().clone();
                bad[1] = name.endsWith("variance") ? -2f : Float.NaN;
                weightsOnly.put(name, new SafeTensors.Entry(weightsOnly.get(name).shape(), bad));
                Path file = dir.resolve("bad.safetensors");
                SafeTensors.write(file, weightsOnly, Map.of());
                ModelFormatException e = assertCause(ModelFormatException.class, () -> m.loadWeights(file));
                assertEquals(file + ": tensor '" + name + "' element 1 is " + bad[1] + ": weights"
                        + (name.endsWith("variance") ? " here must be finite numbers >= 0" : " must be finite numbers"),
                        e.getMessage());
                ModelFilesTest.assertWeightsEqual(before, m.getWeights());
            }
        }
    }

    @Test
    void setWeightsRefusesANegativeMovingVariance() {
        try (Model m = model()) {
            List<float[]> weights = m.getWeights();
            weights.get(5)[3] = -0.25f; // kernel, bias, gamma, beta, moving_mean, moving_variance
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.setWeights(weights));
            assertEquals("weight 5 (batch_normalization/moving_variance) element 3 is -0.25: this weight must be a"
                    + " finite number >= 0", e.getMessage());
        }
    }

    private byte[] withElement(String name, int index, float value) {
        Map<String, SafeTensors.Entry> changed = new LinkedHashMap<>(tensors.tensors());
        SafeTensors.Entry e = changed.get(name);
        float[] values = e.values().clone();
        values[index] = value;
        changed.put(name, new SafeTensors.Entry(e.shape(), values));
        return SafeTensors.encode(changed, tensors.metadata());
    }

    private static byte[] edit(String config, String from, String to) {
        if (!config.contains(from)) {
            throw new AssertionError("the saved config has no " + from + ":\n" + config);
        }
        return config.replace(from, to).getBytes(StandardCharsets.UTF_8);
    }

    private static void assertRefused(byte[] weights, byte[] config, String message) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KilnArchive.write(out, config, weights);
        byte[] file = out.toByteArray();
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelFiles.load(new ByteArrayInputStream(file), file.length, "test.kiln").close());
        assertEquals("test.kiln: " + message, e.getMessage());
    }
}
