package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static dev.kiln.testing.UncheckedFileErrors.assertCause;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.NpyFormatException;
import dev.kiln.core.memory.Tensor;
import dev.kiln.data.CsvFormatException;
import dev.kiln.data.CsvReader;
import dev.kiln.data.IdxFormatException;
import dev.kiln.data.IdxReader;
import dev.kiln.io.ModelFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every reader of a user's file, given a file of another known kind, says what the file is and which
 * method reads it, whatever the file is named; a refused loadWeights leaves the weights as they were.
 */
class WrongFileKindTest {
    @TempDir
    static Path dir;

    /** One real file of each kind, by the description a refusal gives of it. */
    private static final Map<String, byte[]> SAMPLES = new LinkedHashMap<>();

    @BeforeAll
    static void writeOneFileOfEachKind() throws IOException {
        try (Model model = tinyModel()) {
            model.save(dir.resolve("m.kiln"));
            model.save(dir.resolve("m.keras"));
            model.saveWeights(dir.resolve("w.safetensors"));
            model.saveWeights(dir.resolve("w.weights.h5"));
        }
        Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).toNpy(dir.resolve("a.npy"));
        SAMPLES.put("a zip archive", Files.readAllBytes(dir.resolve("m.kiln")));
        SAMPLES.put("an HDF5 file", Files.readAllBytes(dir.resolve("w.weights.h5")));
        SAMPLES.put("a safetensors file", Files.readAllBytes(dir.resolve("w.safetensors")));
        SAMPLES.put("a NumPy .npy array", Files.readAllBytes(dir.resolve("a.npy")));
        SAMPLES.put("an IDX file (MNIST's format)", new byte[] {0, 0, 0x08, 1, 0, 0, 0, 3, 1, 2, 3});
        SAMPLES.put("a gzip-compressed file", gzip("x,y\n1,2\n".getBytes(StandardCharsets.UTF_8)));
        SAMPLES.put("a PNG image", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        SAMPLES.put("a Git LFS pointer", ("version https://git-lfs.github.com/spec/v1\noid sha256:ab12\nsize 999\n")
                .getBytes(StandardCharsets.UTF_8));
        SAMPLES.put("an HTML page", "<!DOCTYPE html><html><body>404</body></html>".getBytes(StandardCharsets.UTF_8));
        SAMPLES.put("a text file", "x,y\n1,2\n".getBytes(StandardCharsets.UTF_8));
    }

    private static Model tinyModel() {
        Kiln.setSeed(3);
        return Sequential.of(Input(2), Dense(3, "relu"), Dense(1)).compile("sgd", "mse");
    }

    private interface Reader {
        void read(Path file) throws Exception;
    }

    /**
     * Each sample but those the reader accepts, named {@code name}, given to {@code reader}: refused with
     * {@code type}, the message naming the file, what it is, and what it is not.
     */
    private static void assertEachOtherKindRefused(String name, String notWhat, Class<? extends Throwable> type,
            Reader reader, String... accepted) throws IOException {
        for (Map.Entry<String, byte[]> sample : SAMPLES.entrySet()) {
            if (List.of(accepted).contains(sample.getKey())) {
                continue;
            }
            Path file = Files.write(dir.resolve(name), sample.getValue());
            Executable read = () -> reader.read(file);
            Throwable thrown = assertThrows(Exception.class, read, sample.getKey() + " as " + name);
            // Model and Tensor throw unchecked by Kiln's I/O rule; the readers in dev.kiln.data throw checked.
            Throwable e = thrown instanceof UncheckedIOException ? thrown.getCause() : thrown;
            assertInstanceOf(type, e, sample.getKey() + " as " + name);
            String message = e.getMessage();
            assertTrue(message.startsWith(file.toString()), message);
            assertTrue(message.contains("this is " + sample.getKey()), sample.getKey() + " as " + name + ": " + message);
            assertTrue(message.contains(", not " + notWhat), message);
        }
    }

    @Test
    void modelLoadSaysWhatANonZipFileIs() throws IOException {
        for (String name : List.of("x.kiln", "x.keras")) {
            assertEachOtherKindRefused(name, "a zip archive, as .kiln and .keras model files are",
                    ModelFormatException.class, Model::load, "a zip archive");
        }
    }

    @Test
    void loadWeightsSaysWhatTheFileIsAndLeavesTheWeights() throws IOException {
        try (Model model = tinyModel()) {
            model.predict(new float[][] {{1, 2}});
            List<float[]> before = model.getWeights();
            assertEachOtherKindRefused("x.safetensors", "a safetensors file", ModelFormatException.class,
                    model::loadWeights, "a safetensors file");
            assertEachOtherKindRefused("x.weights.h5", "an HDF5 file, as Keras' .weights.h5 files are",
                    ModelFormatException.class, model::loadWeights, "an HDF5 file");
            List<float[]> after = model.getWeights();
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i));
            }
        }
    }

    @Test
    void theIssuesExampleAnHdf5FileNamedSafetensorsIsCalledHdf5() throws IOException {
        Path file = Files.write(dir.resolve("keras.safetensors"), SAMPLES.get("an HDF5 file"));
        try (Model model = tinyModel()) {
            model.predict(new float[][] {{1, 2}});
            ModelFormatException e = assertCause(ModelFormatException.class, () -> model.loadWeights(file));
            assertEquals(file + ": this is an HDF5 file, not a safetensors file; Model.loadWeights reads Keras'"
                    + " HDF5 weights files when the name ends with .weights.h5", e.getMessage());
        }
    }

    @Test
    void aMisnamedFileIsRefusedByNameAndSaysWhatItHolds() throws IOException {
        Path h5 = Files.write(dir.resolve("model.h5"), SAMPLES.get("an HDF5 file"));
        try (Model model = tinyModel()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.loadWeights(h5));
            assertEquals("loadWeights needs a file name ending in .safetensors (Kiln's format) or .weights.h5"
                    + " (Keras'), got " + h5 + "; the file is an HDF5 file: Model.loadWeights reads Keras' HDF5"
                    + " weights files when the name ends with .weights.h5", e.getMessage());
        }
        Path zip = Files.write(dir.resolve("model.zip"), SAMPLES.get("a zip archive"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Model.load(zip));
        assertTrue(e.getMessage().endsWith("; the file is a zip archive: Model.load reads a zip as a model file"
                + " when its name ends with .kiln or .keras"), e.getMessage());
        // A save names no content: the file is about to be replaced.
        try (Model model = tinyModel()) {
            model.predict(new float[][] {{1, 2}});
            IllegalArgumentException save = assertThrows(IllegalArgumentException.class, () -> model.save(zip));
            assertTrue(save.getMessage().endsWith("got " + zip), save.getMessage());
        }
    }

    @Test
    void idxReaderSaysWhatANonIdxFileIs() throws IOException {
        assertEachOtherKindRefused("x-idx3-ubyte", "an IDX file (MNIST's format), plain or gzip-compressed",
                IdxFormatException.class, IdxReader::readImages, "an IDX file (MNIST's format)",
                "a gzip-compressed file");
    }

    @Test
    void csvReadersSayWhatABinaryFileIs() throws IOException {
        assertEachOtherKindRefused("x.csv", "CSV text", CsvFormatException.class, CsvReader::read, "a text file");
        // Datasets.csv throws unchecked, with the reader's exception as the cause.
        Path file = Files.write(dir.resolve("y.csv"), SAMPLES.get("an HDF5 file"));
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Datasets.csv(file));
        assertTrue(e.getCause() instanceof CsvFormatException, e.toString());
        assertTrue(e.getMessage().contains("this is an HDF5 file, not CSV text"), e.getMessage());
    }

    @Test
    void fromNpySaysWhatANonNpyFileIs() throws IOException {
        assertEachOtherKindRefused("x.npy", "a NumPy .npy file", NpyFormatException.class, Tensor::fromNpy,
                "a NumPy .npy array");
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }
}
