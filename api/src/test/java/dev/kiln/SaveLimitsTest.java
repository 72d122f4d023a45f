package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.io.KilnArchive;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.layers.Layer;
import dev.kiln.metrics.AUC;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Save and load apply the same limits, and save refuses first: a model never writes a file that it
 * will not read back (a checkpoint that cannot be restored is lost work). Options that size memory
 * are capped where they are given, so neither a program nor a file can ask for 2^31 of them.
 */
class SaveLimitsTest {
    @TempDir
    Path dir;

    @Test
    void aModelWithMoreLayersThanAFileHoldsIsRefusedBySaveAndNothingIsWritten() throws IOException {
        List<Layer> layers = new ArrayList<>();
        layers.add(Input(2));
        for (int i = 0; i < ModelConfig.MAX_LAYERS; i++) {
            layers.add(Flatten());
        }
        layers.add(Dense(1));
        try (Model model = Sequential.of(layers.toArray(Layer[]::new)).compile("sgd", "mse")) {
            Path file = dir.resolve("deep.kiln");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.save(file));
            assertEquals("the model has 10002 layers; a saved file holds at most 10000, so it cannot be saved",
                    e.getMessage());
            assertFalse(Files.exists(file));
            try (var listing = Files.list(dir)) {
                assertEquals(0, listing.count(), "no temporary file left behind");
            }
        }
    }

    @Test
    void aNameTheLoaderWouldRefuseIsRefusedBySave() {
        String longName = "a".repeat((1 << 20) + 1); // longer than any string the config reader accepts
        try (Model model = Sequential.of(Input(2), Dense(2, "softmax")).compile("sgd", "categorical_crossentropy",
                new AUC().named(longName))) {
            Path file = dir.resolve("named.kiln");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> model.save(file));
            assertTrue(e.getMessage().startsWith("the model cannot be saved: Kiln could not read the file back ("),
                    e.getMessage());
            assertFalse(Files.exists(file));
        }
    }

    @Test
    void aucThresholdsAreCappedInCodeAndInFiles() throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new AUC(Integer.MAX_VALUE));
        assertEquals("AUC num_thresholds must be in [2, 100000], got 2147483647", e.getMessage());
        try (Model model = Sequential.of(Input(2), Dense(1, "sigmoid")).compile("sgd", "binary_crossentropy",
                new AUC(AUC.MAX_THRESHOLDS))) {
            model.save(dir.resolve("auc.kiln"));
        }
        byte[] bytes = Files.readAllBytes(dir.resolve("auc.kiln"));
        KilnArchive.Parts parts = KilnArchive.read(new ByteArrayInputStream(bytes), bytes.length, "auc.kiln");
        try (Model back = ModelFiles.load(new ByteArrayInputStream(bytes), bytes.length, "auc.kiln")) {
            assertEquals(AUC.MAX_THRESHOLDS, ((AUC) back.metrics().get(0)).numThresholds());
        }
        String config = new String(parts.config(), StandardCharsets.UTF_8)
                .replace("\"num_thresholds\" : 100000", "\"num_thresholds\" : 2147483647");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KilnArchive.write(out, config.getBytes(StandardCharsets.UTF_8), parts.weights());
        byte[] file = out.toByteArray();
        ModelFormatException refused = assertThrows(ModelFormatException.class,
                () -> ModelFiles.load(new ByteArrayInputStream(file), file.length, "auc.kiln"));
        assertEquals("auc.kiln: config.json.compile_config.metrics[0] AUC num_thresholds must be in [2, 100000], got"
                + " 2147483647", refused.getMessage());
    }
}
