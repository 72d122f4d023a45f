package dev.kiln.data;

import dev.kiln.core.io.FileKind;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX files MNIST and Fashion-MNIST ship in: unsigned-byte labels (magic {@code 0x00000801})
 * and unsigned-byte images (magic {@code 0x00000803}), gzip-compressed or plain (told apart by the gzip
 * magic {@code 1f 8b}, not by the file name).
 *
 * <p>Every header is validated before anything is allocated: the magic, the data type, the number of
 * dimensions, dimension sizes that are positive and describe at most 2<sup>31</sup>−9 bytes (the longest
 * Java array), and a length the file can actually hold. The payload is decoded while it streams in, into
 * arrays that grow with the bytes that arrived rather than being sized from the header, so a gzip file
 * whose header lies costs memory only for what it really holds; and the file must end exactly where its
 * header says. Problems are reported as {@link IdxFormatException}s that name the file.
 *
 * <pre>{@code
 * Path dir = Path.of("/usr/share/datasets/fashion-mnist");
 * LabeledImages train = IdxReader.readLabeled(dir.resolve("train-images-idx3-ubyte.gz"),
 *         dir.resolve("train-labels-idx1-ubyte.gz"), 10);
 * System.out.println(train.size() + " images of " + train.images()[0].length + " pixels");
 * }</pre>
 */
public final class IdxReader {
    private static final int LABEL_DIMENSIONS = 1;
    private static final int IMAGE_DIMENSIONS = 3;
    private static final int BUFFER_BYTES = 1 << 16;
    /** Bytes decoded per read; also the most an array grows by before the bytes that fill it arrived. */
    private static final int CHUNK_BYTES = 1 << 16;
    private static final int FIRST_IMAGE_CAPACITY = 1024;
    private static final int ANY_COUNT = -1;

    /**
     * DEFLATE cannot expand input by more than about 1032:1, so a gzip file of n bytes decompresses to at
     * most this many times n. A header claiming more is refused before its arrays are allocated.
     */
    static final long MAX_GZIP_RATIO = 1032;

    private IdxReader() {
    }

    /** Reads a label file ({@code 0x00000801}): one unsigned byte per item, returned as 0..255. */
    public static int[] readLabels(Path file) throws IOException {
        return read(file, LABEL_DIMENSIONS, ANY_COUNT, IdxReader::decodeLabels);
    }

    /**
     * Reads an image file ({@code 0x00000803}): images flattened row-major to rows × columns floats,
     * each pixel scaled from 0..255 to [0, 1] as {@code pixel / 255f}.
     */
    public static float[][] readImages(Path file) throws IOException {
        return read(file, IMAGE_DIMENSIONS, ANY_COUNT, IdxReader::decodeImages);
    }

    /**
     * Reads an image file and its label file as a pair, checking that they hold the same number of items
     * and that every label is in {@code 0..classCount-1}. The label file is read first, so a count
     * mismatch is found from the image header alone, before the images are decoded.
     */
    public static LabeledImages readLabeled(Path imageFile, Path labelFile, int classCount) throws IOException {
        if (classCount < 1 || classCount > 256) {
            throw new IllegalArgumentException("classCount must be in 1..256 for unsigned-byte labels, got "
                    + classCount);
        }
        int[] labels = readLabels(labelFile);
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classCount) {
                throw new IdxFormatException(labelFile, "label " + labels[i] + " at index " + i
                        + " is outside 0.." + (classCount - 1));
            }
        }
        float[][] images = read(imageFile, IMAGE_DIMENSIONS, labels.length, IdxReader::decodeImages);
        return new LabeledImages(images, labels);
    }

    /** Turns a validated header and the stream positioned after it into the decoded items. */
    @FunctionalInterface
    private interface Decoder<T> {
        T decode(Payload payload) throws IOException;
    }

    private static <T> T read(Path file, int dimensions, int expectedCount, Decoder<T> decoder) throws IOException {
        String otherKind = FileKind.mismatch(file, "an IDX file (MNIST's format), plain or gzip-compressed",
                FileKind.IDX, FileKind.GZIP);
        if (otherKind != null) {
            throw new IdxFormatException(file, otherKind);
        }
        long fileBytes = Files.size(file);
        boolean gzip = hasGzipMagic(file);
        try (InputStream raw = Files.newInputStream(file)) {
            CountingInputStream counted = new CountingInputStream(decompressed(raw, gzip, file));
            DataInputStream in = new DataInputStream(counted);
            IdxHeader header = IdxHeader.read(in, file, dimensions);
            if (expectedCount != ANY_COUNT && header.count() != expectedCount) {
                throw new IdxFormatException(file, "holds " + header.count() + " items but its pair holds "
                        + expectedCount + "; the two files must describe the same items");
            }
            checkLengthIsPossible(file, header, fileBytes, gzip);
            checkHeapSuffices(file, header, dimensions == LABEL_DIMENSIONS);
            Payload payload = new Payload(file, header, in, counted, gzip);
            T items = decoder.decode(payload);
            payload.expectEnd();
            return items;
        } catch (ZipException e) {
            throw new IdxFormatException(file, "is not valid gzip data: " + e.getMessage(), e);
        }
    }

    static InputStream decompressed(InputStream raw, boolean gzip, Path file) throws IOException {
        if (!gzip) {
            return new BufferedInputStream(raw, BUFFER_BYTES);
        }
        try {
            return new GZIPInputStream(raw, BUFFER_BYTES);
        } catch (EOFException e) {
            throw new IdxFormatException(file, "truncated inside its gzip header", e);
        }
    }

    static boolean hasGzipMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    /** Refuses, before allocating, a header whose payload the file cannot possibly contain. */
    private static void checkLengthIsPossible(Path file, IdxHeader header, long fileBytes, boolean gzip)
            throws IdxFormatException {
        long expected = header.headerBytes() + header.payloadBytes();
        if (!gzip && fileBytes != expected) {
            throw new IdxFormatException(file, (fileBytes < expected ? "truncated" : "has trailing bytes")
                    + ": header " + header + " needs exactly " + expected + " bytes, found " + fileBytes);
        }
        if (gzip && expected > fileBytes * MAX_GZIP_RATIO) {
            throw new IdxFormatException(file, "truncated or corrupt: header " + header + " needs " + expected
                    + " bytes, more than " + fileBytes + " compressed bytes can hold");
        }
    }

    /**
     * Refuses, before decoding, items whose arrays could not fit in this JVM's heap at all. The decoded
     * form is larger than the bytes: a label becomes a 4-byte int, a pixel a 4-byte float, and every
     * image its own array with a 16-byte header and a reference, so two hundred million 1×1 images
     * (a 200 KB gzip) would need 6 GB. An honest file that needs more than the heap cannot be read
     * either; the message says how much it needs.
     */
    private static void checkHeapSuffices(Path file, IdxHeader header, boolean labels) throws IdxFormatException {
        long count = header.count();
        long needed = labels
                ? 16 + 4 * count
                : 16 + count * (Long.BYTES + ((16 + 4L * header.itemBytes() + 7) & ~7L));
        long heap = Runtime.getRuntime().maxMemory();
        if (needed > heap) {
            throw new IdxFormatException(file, "decoding the items of header " + header + " needs about " + (needed >> 20)
                    + " MiB of heap as " + (labels ? "int[]" : "float[][]") + ", more than this JVM's maximum of "
                    + (heap >> 20) + " MiB (raise it with -Xmx)");
        }
    }

    private static int[] decodeLabels(Payload payload) throws IOException {
        int count = payload.header().count();
        byte[] chunk = new byte[Math.min(count, CHUNK_BYTES)];
        int[] labels = new int[chunk.length];
        for (int done = 0; done < count; ) {
            int n = Math.min(chunk.length, count - done);
            payload.readFully(chunk, n);
            // Grown only once the bytes are here: a gzip file claiming two billion labels but holding a
            // million costs memory for a million, then ends in a truncation error.
            labels = ArrayGrowth.toHold(labels, done + n, count);
            for (int i = 0; i < n; i++) {
                labels[done + i] = Byte.toUnsignedInt(chunk[i]);
            }
            done += n;
        }
        return labels;
    }

    private static float[][] decodeImages(Payload payload) throws IOException {
        int count = payload.header().count();
        int pixels = payload.header().itemBytes();
        byte[] chunk = new byte[Math.min(pixels, CHUNK_BYTES)];
        float[][] images = new float[Math.min(count, FIRST_IMAGE_CAPACITY)][];
        for (int i = 0; i < count; i++) {
            float[] image = readImage(payload, pixels, chunk);
            images = ArrayGrowth.toHold(images, i + 1, count);
            images[i] = image;
        }
        return images;
    }

    /**
     * One image, its array grown chunk by chunk as the bytes arrive, so even a header claiming a single
     * two-billion-pixel image costs memory only for the pixels actually present.
     */
    private static float[] readImage(Payload payload, int pixels, byte[] chunk) throws IOException {
        float[] image = new float[chunk.length];
        for (int done = 0; done < pixels; ) {
            int n = Math.min(chunk.length, pixels - done);
            payload.readFully(chunk, n);
            image = ArrayGrowth.toHold(image, done + n, pixels);
            for (int p = 0; p < n; p++) {
                image[done + p] = Byte.toUnsignedInt(chunk[p]) / 255f;
            }
            done += n;
        }
        return image;
    }

    /** The payload part of one open file, with the bookkeeping to report truncation precisely. */
    private record Payload(Path file, IdxHeader header, DataInputStream in, CountingInputStream counted,
            boolean gzip) {
        private long expectedBytes() {
            return header.headerBytes() + header.payloadBytes();
        }

        void readFully(byte[] buffer, int length) throws IOException {
            int n;
            try {
                n = in.readNBytes(buffer, 0, length);
            } catch (EOFException e) {
                // GZIPInputStream reports a cut-off compressed stream this way.
                throw truncated(e);
            }
            if (n < length) {
                throw truncated(null);
            }
        }

        void expectEnd() throws IOException {
            long extra;
            try {
                extra = in.transferTo(OutputStream.nullOutputStream());
            } catch (EOFException e) {
                // All items arrived but the gzip trailer (CRC and length) is cut off.
                throw new IdxFormatException(file, "truncated: the gzip stream ends before its trailer", e);
            }
            if (extra > 0) {
                throw new IdxFormatException(file, "has trailing bytes: header " + header + " needs exactly "
                        + expectedBytes() + describeUnit() + ", found " + (expectedBytes() + extra));
            }
        }

        private IdxFormatException truncated(EOFException cause) {
            return new IdxFormatException(file, "truncated: header " + header + " needs " + expectedBytes()
                    + describeUnit() + ", found " + counted.count(), cause);
        }

        private String describeUnit() {
            return gzip ? " bytes after decompression" : " bytes";
        }
    }
}
