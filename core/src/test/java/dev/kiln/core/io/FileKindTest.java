package dev.kiln.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileKindTest {
    @TempDir
    Path dir;

    @Test
    void magicNumbersNameTheirFormats() throws IOException {
        assertEquals(FileKind.ZIP, kindOf(zip()));
        assertEquals(FileKind.ZIP, kindOf(new byte[] {'P', 'K', 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
        assertEquals(FileKind.HDF5, kindOf(withTail(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'})));
        assertEquals(FileKind.NPY, kindOf(withTail(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0})));
        assertEquals(FileKind.PNG, kindOf(withTail(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'})));
        assertEquals(FileKind.GZIP, kindOf(gzip("1,2,3\n".getBytes(StandardCharsets.UTF_8))));
        assertEquals(FileKind.EMPTY, kindOf(new byte[0]));
    }

    @Test
    void safetensorsIsAHeaderLengthThatFitsTheFileThenJson() throws IOException {
        byte[] json = "{\"__metadata__\":{}}".getBytes(StandardCharsets.UTF_8);
        assertEquals(FileKind.SAFETENSORS, kindOf(safetensors(json.length, json)));
        // A length the file cannot hold, or no JSON object after it, is not safetensors.
        assertEquals(FileKind.UNKNOWN, kindOf(safetensors(json.length + 1, json)));
        byte[] notJson = json.clone();
        notJson[0] = '[';
        assertEquals(FileKind.UNKNOWN, kindOf(safetensors(json.length, notJson)));
    }

    @Test
    void idxIsTwoZerosAKnownTypeAndOneToFourDimensions() throws IOException {
        assertEquals(FileKind.IDX, kindOf(new byte[] {0, 0, 0x08, 1, 0, 0, 0, 2, 7, 9}));
        assertEquals(FileKind.IDX, kindOf(new byte[] {0, 0, 0x08, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 5}));
        assertEquals(FileKind.UNKNOWN, kindOf(new byte[] {0, 0, 0x07, 1, 0, 0, 0, 2, 7, 9}));
        assertEquals(FileKind.UNKNOWN, kindOf(new byte[] {0, 0, 0x08, 5, 0, 0, 0, 2, 7, 9}));
        assertEquals(FileKind.UNKNOWN, kindOf(new byte[] {0, 1, 0x08, 1, 0, 0, 0, 2, 7, 9}));
    }

    @Test
    void textIsValidUtf8WithoutControlCharacters() throws IOException {
        assertEquals(FileKind.TEXT, kindOf("a,b,label\n1,2,cat\r\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(FileKind.TEXT, kindOf("\uFEFFx;y\tz\n".getBytes(StandardCharsets.UTF_8)));
        // A character cut by the end of the sniffed head still counts as text.
        byte[] longText = "é".repeat(FileKind.HEAD_BYTES).getBytes(StandardCharsets.UTF_8);
        assertEquals(FileKind.TEXT, kindOf(Arrays.copyOf(longText, FileKind.HEAD_BYTES + 1)));
        assertEquals(FileKind.UNKNOWN, kindOf(new byte[] {'a', 'b', 0, 'c'}));
        assertEquals(FileKind.UNKNOWN, kindOf(new byte[] {'a', (byte) 0xE9, 'b'})); // Latin-1, not UTF-8
        assertEquals(FileKind.GIT_LFS_POINTER, kindOf(("version https://git-lfs.github.com/spec/v1\n"
                + "oid sha256:4d7a\nsize 12345\n").getBytes(StandardCharsets.UTF_8)));
        assertEquals(FileKind.HTML, kindOf("\n  <!DOCTYPE html><html><body>Not Found</body></html>"
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(FileKind.HTML, kindOf("<HTML><p>moved</p></HTML>".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void mismatchNamesWhatTheFileIsAndWhatReadsIt() throws IOException {
        Path file = write(withTail(new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'}));
        assertEquals("this is an HDF5 file, not a safetensors file; Model.loadWeights reads Keras' HDF5 weights"
                + " files when the name ends with .weights.h5",
                FileKind.mismatch(file, "a safetensors file", FileKind.SAFETENSORS));
        assertNull(FileKind.mismatch(file, "an HDF5 file", FileKind.HDF5));
        assertNull(FileKind.mismatch(file, "a zip or an HDF5 file", FileKind.ZIP, FileKind.HDF5));
        // Unrecognised or empty content is left to the reader's own checks.
        assertNull(FileKind.mismatch(write(new byte[] {1, 2, 3, 4, 5}), "a safetensors file", FileKind.SAFETENSORS));
        assertNull(FileKind.mismatch(write(new byte[0]), "a safetensors file", FileKind.SAFETENSORS));
        for (FileKind kind : FileKind.values()) {
            assertTrue(kind.description().startsWith("a") || kind.description().startsWith("data"), kind.name());
            assertTrue(kind == FileKind.UNKNOWN || !kind.reader().isEmpty(), kind.name());
        }
    }

    private FileKind kindOf(byte[] content) throws IOException {
        return FileKind.of(write(content));
    }

    private Path write(byte[] content) throws IOException {
        return Files.write(Files.createTempFile(dir, "kind", ".bin"), content);
    }

    private static byte[] withTail(byte[] magic) {
        return Arrays.copyOf(magic, magic.length + 24);
    }

    private static byte[] zip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("config.json"));
            zip.write("{}".getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        return bytes.toByteArray();
    }

    private static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    private static byte[] safetensors(long headerLength, byte[] header) {
        ByteBuffer buffer = ByteBuffer.allocate(8 + header.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(headerLength).put(header);
        return buffer.array();
    }
}
