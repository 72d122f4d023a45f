package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static dev.kiln.testing.UncheckedFileErrors.assertCause;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.io.KilnArchive;
import dev.kiln.io.ModelFormatException;
import dev.kiln.testing.AllocatedBytes;
import dev.kiln.testing.HandMadeZip;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .kiln files that are well-formed zips but lie or break the rules are refused before anything big is built. */
class KilnFileRefusalTest {
    @TempDir
    Path dir;
    KilnArchive.Parts valid;

    @BeforeEach
    void saveOne() throws IOException {
        try (Model m = Sequential.of(Input(3), Dense(4, "relu"), Dense(2)).compile("adam", "mse")) {
            m.save(dir.resolve("m.kiln"));
        }
        byte[] bytes = Files.readAllBytes(dir.resolve("m.kiln"));
        valid = KilnArchive.read(new ByteArrayInputStream(bytes), bytes.length, "valid");
    }

    private static byte[] archive(byte[] config, byte[] weights) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KilnArchive.write(out, config, weights);
        return out.toByteArray();
    }

    private static void assertRefused(byte[] file, String expected) {
        ModelFormatException e = assertThrows(ModelFormatException.class,
                () -> ModelFiles.load(new ByteArrayInputStream(file), file.length, "test.kiln").close());
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }

    private String config() {
        return new String(valid.config(), StandardCharsets.UTF_8);
    }

    @Test
    void aConfigClaimingAHugeLayerIsRefusedBeforeItIsBuilt() throws IOException {
        // A billion units would need 16 GB; the file holds 26 weights, so nothing is allocated.
        String huge = config().replace("\"units\" : 4", "\"units\" : 1000000000");
        assertRefused(archive(huge.getBytes(StandardCharsets.UTF_8), valid.weights()), "26");
        String wide = config().replace("\"input_shape\" : [ null, 3 ]", "\"input_shape\" : [ null, 2147483647 ]")
                .replace("\"batch_shape\" : [ null, 3 ]", "\"batch_shape\" : [ null, 2147483647 ]");
        assertRefused(archive(wide.getBytes(StandardCharsets.UTF_8), valid.weights()), "weights");
    }

    @Test
    void configProblemsNameTheField() throws IOException {
        assertRefused(archive(config().replace("\"relu\"", "\"rleu\"").getBytes(StandardCharsets.UTF_8),
                valid.weights()), "did you mean 'relu'");
        assertRefused(archive(config().replace("\"Dense\"", "\"Conv3D\"").getBytes(StandardCharsets.UTF_8),
                valid.weights()), "Conv3D");
        assertRefused(archive(config().replace("\"format_version\" : 1", "\"format_version\" : 9")
                .getBytes(StandardCharsets.UTF_8), valid.weights()), "upgrade Kiln");
        assertRefused(archive(config().replace("\"beta_1\" : 0.9", "\"beta_1\" : 1.5")
                .getBytes(StandardCharsets.UTF_8), valid.weights()), "beta_1");
        assertRefused(archive(config().replace("\"iterations\" : 0", "\"iterations\" : -4")
                .getBytes(StandardCharsets.UTF_8), valid.weights()), "training_state.iterations");
        assertRefused(archive("{}".getBytes(StandardCharsets.UTF_8), valid.weights()), "config.json.format");
        assertRefused(archive("not json".getBytes(StandardCharsets.UTF_8), valid.weights()), "not valid JSON");
    }

    @Test
    void twoSavedModelsJoinedTogetherAreRefused() throws IOException {
        // Kiln used to load the first model while zip tools, which read the directory at the end, saw the second.
        Path second = dir.resolve("second.kiln");
        try (Model m = Sequential.of(Input(3), Dense(2)).compile("sgd", "mse")) {
            m.save(second);
        }
        byte[] first = Files.readAllBytes(dir.resolve("m.kiln"));
        byte[] joined = Arrays.copyOf(first, first.length + (int) Files.size(second));
        System.arraycopy(Files.readAllBytes(second), 0, joined, first.length, (int) Files.size(second));
        assertRefused(joined, "bytes follow the end of the zip archive at offset " + first.length);
        Path file = dir.resolve("joined.kiln");
        Files.write(file, joined);
        ModelFormatException e = assertCause(ModelFormatException.class, () -> Model.load(file).close());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    }

    @Test
    void aSmallFileCannotMakeKilnReadABigModel() throws IOException {
        // 4 M zero weights (16 MB) whose entry is deflated to a few KB: Kiln writes weights stored, so the
        // bytes a model needs are in the file, and a deflated weights entry is refused before inflating it.
        Path big = dir.resolve("big.kiln");
        try (Model m = Sequential.of(Input(4), Dense(1 << 20, "linear", false)).compile("sgd", "mse")) {
            m.setWeights(List.of(new float[4 << 20]));
            m.save(big);
        }
        byte[] saved = Files.readAllBytes(big);
        KilnArchive.Parts parts = KilnArchive.read(new ByteArrayInputStream(saved), saved.length, "big");
        byte[] small = new HandMadeZip()
                .add(HandMadeZip.deflated("config.json", parts.config()), HandMadeZip.deflate(parts.config()))
                .add(HandMadeZip.deflated("model.safetensors", parts.weights()), HandMadeZip.deflate(parts.weights()))
                .toBytes();
        assertTrue(small.length < 100_000, "a small file: " + small.length);
        assertRefused(small, "entry 'model.safetensors' is compressed");
        long allocated = AllocatedBytes.by(
                () -> ModelFiles.load(new ByteArrayInputStream(small), small.length, "small").close());
        assertTrue(allocated < 4 << 20, "refusing it allocated " + allocated + " bytes");
    }

    @Test
    void zipRulesAreEnforced() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write(valid.config());
            zip.putNextEntry(new ZipEntry("../evil"));
            zip.write(1);
        }
        assertRefused(bytes.toByteArray(), "unexpected zip entry '../evil'");

        bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write(valid.config());
        }
        assertRefused(bytes.toByteArray(), "lacks model.safetensors");

        // A deflated config that expands past its 16 MiB cap: refused while reading, not after.
        bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("config.json"));
            byte[] spaces = new byte[1 << 20];
            java.util.Arrays.fill(spaces, (byte) ' ');
            for (int i = 0; i < 17; i++) {
                zip.write(spaces);
            }
        }
        assertTrue(bytes.size() < 100_000);
        assertRefused(bytes.toByteArray(), "more than 16777216 bytes");
    }
}
