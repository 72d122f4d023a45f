package dev.kiln.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests, byte by byte as the format describes them. */
public final class IdxTestFiles {
    /** Three 2×2 images whose pixels are 0, 255 and values in between. */
    public static final byte[][] IMAGES = {
        {0, (byte) 255, 51, 102},
        {(byte) 204, 1, 2, 3},
        {(byte) 128, (byte) 128, 0, (byte) 255},
    };
    public static final byte[] LABELS = {2, 0, 1};

    private IdxTestFiles() {
    }

    /** Header bytes: {@code 00 00 type dims} then each dimension as a big-endian int. */
    public static byte[] header(int type, int... dimensions) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt((type << 8) | dimensions.length);
            for (int d : dimensions) {
                out.writeInt(d);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static byte[] imageFile(byte[][] images, int rows, int columns) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(header(0x08, images.length, rows, columns));
        for (byte[] image : images) {
            bytes.writeBytes(image);
        }
        return bytes.toByteArray();
    }

    public static byte[] labelFile(byte[] labels) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(header(0x08, labels.length));
        bytes.writeBytes(labels);
        return bytes.toByteArray();
    }

    public static Path write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    /**
     * A gzip file whose header promises {@code claimedPayloadBytes} but whose compressed stream holds only
     * {@code realPayloadBytes} of zeros after it, followed by random junk (not a gzip member) until the file
     * is large enough for DEFLATE's 1032:1 ratio to allow the claim: the attack that sizing arrays from the
     * header cannot survive.
     */
    public static byte[] lyingGzip(byte[] header, int realPayloadBytes, long claimedPayloadBytes, long seed)
            throws IOException {
        byte[] plain = new byte[header.length + realPayloadBytes];
        System.arraycopy(header, 0, plain, 0, header.length);
        byte[] compressed = gzip(plain);
        long needed = (header.length + claimedPayloadBytes) / IdxReader.MAX_GZIP_RATIO + 1;
        byte[] file = new byte[(int) Math.max(compressed.length, needed)];
        new Random(seed).nextBytes(file);
        // Junk that starts with the gzip magic would be read as a second member; start it with anything else.
        if (file.length > compressed.length) {
            file[compressed.length] = 0;
        }
        System.arraycopy(compressed, 0, file, 0, compressed.length);
        return file;
    }

    public static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }
}
