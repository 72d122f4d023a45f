package dev.kiln.io;

import dev.kiln.core.io.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The container of a {@code .kiln} file: a zip archive of exactly two entries, {@code config.json}
 * (deflated) and {@code model.safetensors} (stored, so other tools can read it in place, and so that
 * the weights a file can hold are bounded by the file's own size).
 *
 * <p>Reading ({@link StrictZipReader}) accounts for every byte: the entries from the first byte on, a
 * central directory that agrees with them, nothing after it. The config may hold at most
 * {@value #MAX_CONFIG_BYTES} bytes once inflated, counted as they are inflated; the weights must be
 * stored and at most {@value #MAX_WEIGHTS_BYTES} bytes. Writing refuses, before a byte is written,
 * what reading would refuse.
 *
 * <pre>{@code
 * KilnArchive.Parts parts = KilnArchive.read(in, Files.size(path), path.toString());
 * }</pre>
 */
public final class KilnArchive {
    public static final String CONFIG_ENTRY = "config.json";
    public static final String WEIGHTS_ENTRY = "model.safetensors";
    /** The most bytes {@code config.json} may hold (inflated): far more than 10,000 layers need. */
    public static final long MAX_CONFIG_BYTES = 16L << 20;
    /** The most bytes {@code model.safetensors} may hold: one Java array's practical limit. */
    public static final long MAX_WEIGHTS_BYTES = SafeTensors.MAX_ENCODED_BYTES;

    /** The two entries' bytes. */
    public record Parts(byte[] config, byte[] weights) {
    }

    private KilnArchive() {
    }

    /** Writes the archive atomically, after checking it is one Kiln will read back. */
    public static void write(Path path, byte[] config, byte[] weights) throws IOException {
        checkWritable(config, weights);
        AtomicFiles.write(path, out -> write(out, config, weights));
    }

    public static void write(OutputStream out, byte[] config, byte[] weights) throws IOException {
        checkWritable(config, weights);
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.putNextEntry(new ZipEntry(CONFIG_ENTRY));
        zip.write(config);
        zip.closeEntry();
        ZipEntry stored = new ZipEntry(WEIGHTS_ENTRY);
        stored.setMethod(ZipEntry.STORED);
        stored.setSize(weights.length);
        stored.setCompressedSize(weights.length);
        CRC32 crc = new CRC32();
        crc.update(weights);
        stored.setCrc(crc.getValue());
        zip.putNextEntry(stored);
        zip.write(weights);
        zip.closeEntry();
        zip.finish();
    }

    /** The model must never write a file it will not read back. */
    private static void checkWritable(byte[] config, byte[] weights) {
        if (config.length > MAX_CONFIG_BYTES) {
            throw new IllegalArgumentException("the model's " + CONFIG_ENTRY + " would take " + config.length
                    + " bytes; a .kiln file holds at most " + MAX_CONFIG_BYTES + " (KilnArchive.MAX_CONFIG_BYTES)");
        }
        if (weights.length > MAX_WEIGHTS_BYTES) {
            throw new IllegalArgumentException("the model's " + WEIGHTS_ENTRY + " would take " + weights.length
                    + " bytes; a .kiln file holds at most " + MAX_WEIGHTS_BYTES + " (KilnArchive.MAX_WEIGHTS_BYTES)");
        }
    }

    /** Reads an archive of {@code size} bytes from {@code in}; {@code source} names it in messages. */
    public static Parts read(InputStream in, long size, String source) throws IOException {
        Map<String, byte[]> entries = StrictZipReader.readArchive(in, size, source, ".kiln", (name, method) -> {
            if (name.equals(CONFIG_ENTRY)) {
                return MAX_CONFIG_BYTES;
            }
            if (!name.equals(WEIGHTS_ENTRY)) {
                throw new ModelFormatException(source, "unexpected zip entry '" + Abbreviated.name(name)
                        + "'; a .kiln file holds " + CONFIG_ENTRY + " and " + WEIGHTS_ENTRY + ", each once");
            }
            if (method != StrictZipReader.STORED) {
                // Stored, the weights cannot hold more bytes than the file: no small file makes a big model.
                throw new ModelFormatException(source, "entry '" + WEIGHTS_ENTRY + "' is compressed (method " + method
                        + "); Kiln writes it stored and reads it only stored, so its size is bounded by the file's");
            }
            return MAX_WEIGHTS_BYTES;
        });
        byte[] config = entries.get(CONFIG_ENTRY);
        byte[] weights = entries.get(WEIGHTS_ENTRY);
        if (config == null || weights == null) {
            throw new ModelFormatException(source, "not a complete .kiln file: the archive lacks "
                    + (config == null ? CONFIG_ENTRY : WEIGHTS_ENTRY));
        }
        return new Parts(config, weights);
    }
}
