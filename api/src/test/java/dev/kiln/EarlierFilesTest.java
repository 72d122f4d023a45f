package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written by an earlier Kiln (src/test/resources/compat, saved before optimizers, losses and
 * metrics owned their configs) still load, and saving them again writes the same compile config,
 * training state and tensors (weights and optimizer slots): reading and writing each concept's config
 * changed nothing on disk. They cover every optimizer (with schedules and each clipping), every loss
 * (by name and from logits) and every metric class.
 */
class EarlierFilesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"adam-sparse", "adamw-logits", "sgd-nesterov-binary", "rmsprop-binary-logits",
            "adagrad-sparse-logits", "sgd-mse", "rmsprop-mae", "unbuilt-categorical"})
    void loadsAndSavesAgainUnchanged(String name) throws IOException {
        Path earlier = dir.resolve(name + ".kiln");
        try (InputStream in = EarlierFilesTest.class.getResourceAsStream("/compat/" + name + ".kiln")) {
            Files.copy(in, earlier);
        }
        Path again = dir.resolve(name + "-again.kiln");
        try (Model model = Model.load(earlier)) {
            model.save(again);
        }
        JsonNode before = config(earlier);
        JsonNode after = config(again);
        assertEquals(before.get("compile_config").toString(), after.get("compile_config").toString());
        assertEquals(before.get("training_state").toString(), after.get("training_state").toString());
        assertArrayEquals(entry(earlier, "model.safetensors"), entry(again, "model.safetensors"));
    }

    private static JsonNode config(Path file) throws IOException {
        return JSON.readTree(entry(file, "config.json"));
    }

    private static byte[] entry(Path file, String name) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return zip.getInputStream(zip.getEntry(name)).readAllBytes();
        }
    }
}
