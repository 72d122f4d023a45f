package dev.kiln.data;

import static dev.kiln.data.IdxTestFiles.IMAGES;
import static dev.kiln.data.IdxTestFiles.LABELS;
import static dev.kiln.data.IdxTestFiles.header;
import static dev.kiln.data.IdxTestFiles.imageFile;
import static dev.kiln.data.IdxTestFiles.labelFile;
import static dev.kiln.data.IdxTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IdxReaderTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsImagesFlattenedAndScaledToUnitRange(boolean gzip) throws IOException {
        Path file = write(dir.resolve("images"), imageFile(IMAGES, 2, 2), gzip);
        float[][] images = IdxReader.readImages(file);
        assertEquals(3, images.length);
        for (int i = 0; i < IMAGES.length; i++) {
            assertEquals(4, images[i].length);
            for (int p = 0; p < 4; p++) {
                assertEquals(Byte.toUnsignedInt(IMAGES[i][p]) / 255f, images[i][p], "image " + i + " pixel " + p);
            }
        }
        assertEquals(1.0f, images[0][1]);
        assertEquals(0.0f, images[0][0]);
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void readsLabels(boolean gzip) throws IOException {
        Path file = write(dir.resolve("labels"), labelFile(new byte[] {2, 0, 1, (byte) 255}), gzip);
        assertArrayEquals(new int[] {2, 0, 1, 255}, IdxReader.readLabels(file));
    }

    @Test
    void compressionIsDetectedFromTheContentNotTheName() throws IOException {
        Path gzipWithoutSuffix = write(dir.resolve("labels.idx"), labelFile(LABELS), true);
        Path plainWithGzSuffix = write(dir.resolve("labels.gz"), labelFile(LABELS), false);
        assertTrue(IdxReader.hasGzipMagic(gzipWithoutSuffix));
        assertArrayEquals(new int[] {2, 0, 1}, IdxReader.readLabels(gzipWithoutSuffix));
        assertArrayEquals(new int[] {2, 0, 1}, IdxReader.readLabels(plainWithGzSuffix));
    }

    @Test
    void pairsImagesWithTheirLabels() throws IOException {
        Path images = write(dir.resolve("images.gz"), imageFile(IMAGES, 2, 2), true);
        Path labels = write(dir.resolve("labels.gz"), labelFile(LABELS), true);
        LabeledImages pair = IdxReader.readLabeled(images, labels, 3);
        assertEquals(3, pair.size());
        assertArrayEquals(new int[] {2, 0, 1}, pair.labels());
        assertEquals(204 / 255f, pair.images()[1][0]);
    }

    @Test
    void truncatedPlainFileIsRefusedWithExpectedAndActualSize() throws IOException {
        byte[] whole = imageFile(IMAGES, 2, 2);
        Path file = write(dir.resolve("short"), Arrays.copyOf(whole, whole.length - 2), false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
        assertMessage(e, file.toString(), "truncated", "needs exactly 28 bytes", "found 26");
    }

    @Test
    void truncatedGzipPayloadIsRefusedWithExpectedAndActualSize() throws IOException {
        byte[] whole = imageFile(IMAGES, 2, 2);
        Path file = write(dir.resolve("short.gz"), Arrays.copyOf(whole, whole.length - 3), true);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
        assertMessage(e, file.toString(), "truncated", "needs 28 bytes after decompression", "found 25");
    }

    @Test
    void gzipStreamCutOffMidwayIsRefusedAsTruncated() throws IOException {
        byte[] compressed = IdxTestFiles.gzip(imageFile(IMAGES, 2, 2));
        for (int keep : new int[] {2, 12, compressed.length / 2, compressed.length - 4}) {
            Path file = write(dir.resolve("cut" + keep + ".gz"), Arrays.copyOf(compressed, keep), false);
            IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file),
                    "kept " + keep + " of " + compressed.length + " bytes");
            assertMessage(e, file.toString());
        }
    }

    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void trailingBytesAreRefused(boolean gzip) throws IOException {
        byte[] whole = labelFile(LABELS);
        Path file = write(dir.resolve("long"), Arrays.copyOf(whole, whole.length + 5), gzip);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));
        assertMessage(e, file.toString(), "trailing", "11", "found 16");
    }

    @Test
    void wrongMagicIsRefused() throws IOException {
        Path text = write(dir.resolve("text"), "hello, world".getBytes(), false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(text)),
                "this is a text file, not an IDX file");
        // Bytes of no format Kiln knows reach the header check, which names the magic it found.
        Path notIdx = write(dir.resolve("binary"), new byte[] {0x12, 0x34, 0x56, 0x78, 0, 0, 0, 1}, false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(notIdx)),
                "not an IDX file", "0x12345678");
        Path labels = write(dir.resolve("labels"), labelFile(LABELS), false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(labels)),
                "expected magic 0x00000803", "found 0x00000801");
    }

    @Test
    void nonByteDataTypeIsRefused() throws IOException {
        byte[] floats = header(0x0D, 1, 2, 2);
        Path file = write(dir.resolve("floats"), Arrays.copyOf(floats, floats.length + 16), false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file)),
                "data type 0x0D", "only 0x08");
    }

    @Test
    void emptyAndNonPositiveDimensionsAreRefused() throws IOException {
        Path empty = write(dir.resolve("empty"), new byte[0], false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(empty)), "too short");
        Path zero = write(dir.resolve("zero"), header(0x08, 3, 0, 2), false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(zero)),
                "dimension 1 is 0");
        Path negative = write(dir.resolve("negative"), header(0x08, -5), false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(negative)),
                "dimension 0 is -5");
    }

    @Test
    void dimensionsClaimingMoreThanAnArrayCanHoldAreRefused() throws IOException {
        Path file = write(dir.resolve("huge"), header(0x08, 100_000, 100_000, 100_000), false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file)),
                "[100000, 100000]", "more than 2147483639 bytes");
    }

    /**
     * Two billion labels fit the format's limits, but an int[] of them is 8 GB, twice the test JVM's heap:
     * were the header trusted, this would end in OutOfMemoryError instead of a clear refusal.
     */
    @ParameterizedTest(name = "gzip={0}")
    @ValueSource(booleans = {false, true})
    void headerClaimingMoreThanTheFileHoldsIsRefusedBeforeAllocating(boolean gzip) throws IOException {
        byte[] lie = Arrays.copyOf(header(0x08, 2_000_000_000), 8 + 100);
        Path file = write(dir.resolve("lie"), lie, gzip);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));
        assertMessage(e, "2000000008");
    }

    /** Labels whose ints take a sixteenth of this JVM's heap: a count decoding could hold, were it honest. */
    private static long labelsWithinHeap() {
        return Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 16);
    }

    /**
     * A gzip file passes the 1032:1 check for hundreds of millions of labels while holding only a megabyte
     * of real payload (the rest is junk after the gzip stream). Arrays sized from the header would take a
     * quarter of the heap at once; arrays that grow as bytes arrive need a few megabytes, then find the
     * truncation.
     */
    @Test
    void aLyingLabelCountBackedByRealCompressedBytesIsRefusedAsTruncated() throws IOException {
        long claim = labelsWithinHeap();
        Path file = write(dir.resolve("lie.gz"),
                IdxTestFiles.lyingGzip(header(0x08, (int) claim), 1 << 20, claim, 1), false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file));
        assertMessage(e, file.toString(), "truncated", "needs " + (8 + claim) + " bytes after decompression",
                "found " + (8 + (1 << 20)));
    }

    /** The same lie for images: millions of 1×1 images (a row array each), or one huge image. */
    @ParameterizedTest(name = "1x1 images: {0}")
    @ValueSource(booleans = {true, false})
    void aLyingImageHeaderBackedByRealCompressedBytesIsRefusedAsTruncated(boolean manySmall) throws IOException {
        long heap = Runtime.getRuntime().maxMemory();
        int count = manySmall ? (int) Math.min(Integer.MAX_VALUE - 8, heap / 128) : 1;
        int side = manySmall ? 1 : (int) Math.sqrt(Math.min(Integer.MAX_VALUE - 8, heap / 16));
        long claim = (long) count * side * side;
        Path file = write(dir.resolve("lie.gz"),
                IdxTestFiles.lyingGzip(header(0x08, count, side, side), 1 << 20, claim, 2), false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
        assertMessage(e, file.toString(), "truncated", "needs " + (16 + claim) + " bytes after decompression",
                "found " + (16 + (1 << 20)));
    }

    /**
     * Nothing lies here: a gzip of a few hundred KB holding hundreds of millions of real 1×1 images of 0.
     * Each becomes its own float[1] (24 bytes and a reference for one byte of payload), twice the heap
     * in all, so it is refused from the header instead of filling the heap as the bytes arrive.
     */
    @Test
    void honestTinyImagesThatDecodeToMoreThanTheHeapAreRefusedBeforeDecoding() throws IOException {
        int count = (int) Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 16);
        Path file = dir.resolve("zeros.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(header(0x08, count, 1, 1));
            byte[] zeros = new byte[1 << 20];
            for (long left = count; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(left, zeros.length));
            }
        }
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readImages(file));
        assertMessage(e, file.toString(), "MiB of heap as float[][]");
    }

    /**
     * Items whose decoded arrays could not fit in the heap at all are refused from the header: two
     * billion labels (8 GB of ints), two billion 1×1 images (64 GB of arrays from a 2 MB file), one
     * 44000×44000 image.
     */
    @ParameterizedTest(name = "{0} x {1}x{2}")
    @CsvSource({"2000000000, 0, 0", "2000000000, 1, 1", "1, 44000, 44000"})
    void itemsTheHeapCannotHoldAreRefusedBeforeDecoding(int count, int rows, int columns) throws IOException {
        boolean labels = rows == 0;
        long claim = labels ? count : (long) count * rows * columns;
        byte[] header = labels ? header(0x08, count) : header(0x08, count, rows, columns);
        Path file = write(dir.resolve("huge.gz"), IdxTestFiles.lyingGzip(header, 1 << 20, claim, 3), false);
        IdxFormatException e = assertThrows(IdxFormatException.class,
                () -> { if (labels) { IdxReader.readLabels(file); } else { IdxReader.readImages(file); } });
        assertMessage(e, file.toString(), "MiB of heap as " + (labels ? "int[]" : "float[][]"),
                "more than this JVM's maximum of " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    }

    @Test
    void countMismatchBetweenImagesAndLabelsIsRefused() throws IOException {
        Path images = write(dir.resolve("images"), imageFile(IMAGES, 2, 2), false);
        Path labels = write(dir.resolve("labels"), labelFile(new byte[] {1, 2}), false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabeled(images, labels, 10));
        assertMessage(e, images.toString(), "holds 3 items", "pair holds 2");
    }

    @Test
    void labelOutsideTheClassesIsRefused() throws IOException {
        Path images = write(dir.resolve("images"), imageFile(IMAGES, 2, 2), false);
        Path labels = write(dir.resolve("labels"), labelFile(new byte[] {2, 10, 1}), false);
        IdxFormatException e = assertThrows(IdxFormatException.class, () -> IdxReader.readLabeled(images, labels, 10));
        assertMessage(e, labels.toString(), "label 10 at index 1", "0..9");
        assertThrows(IllegalArgumentException.class, () -> IdxReader.readLabeled(images, labels, 0));
    }

    @Test
    void corruptGzipIsReportedWithTheFileName() throws IOException {
        byte[] compressed = IdxTestFiles.gzip(labelFile(LABELS));
        compressed[compressed.length - 6] ^= 0x5A; // inside the CRC-32 trailer
        Path file = write(dir.resolve("corrupt.gz"), compressed, false);
        assertMessage(assertThrows(IdxFormatException.class, () -> IdxReader.readLabels(file)), file.toString());
    }

    @Test
    void missingFileIsAnIoErrorNotAFormatError() {
        Path missing = dir.resolve("absent");
        IOException e = assertThrows(IOException.class, () -> IdxReader.readLabels(missing));
        assertTrue(!(e instanceof IdxFormatException), e.toString());
    }

    private static void assertMessage(Exception e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
    }
}
