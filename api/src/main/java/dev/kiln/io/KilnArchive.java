package dev.kiln.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * The container of a {@code .kiln} file: a zip archive of exactly two entries, {@code config.json}
 * (deflated) and {@code model.safetensors} (stored, so other tools can read it in place). Reading
 * checks the zip magic, refuses unknown or repeated entries, bounds each entry's size before keeping
 * it (16 MiB for the config; for the weights what the file's size allows) and relies on the zip
 * checksums to catch damaged bytes.
 *
 * <pre>{@code
 * KilnArchive.Parts parts = KilnArchive.read(in, Files.size(path), path.toString());
 * }</pre>
 */
public final class KilnArchive {
    public static final String CONFIG_ENTRY = "config.json";
    public static final String WEIGHTS_ENTRY = "model.safetensors";
    static final long MAX_CONFIG_BYTES = 16L << 20;
    /** A Java array's practical limit. */
    static final long MAX_WEIGHTS_BYTES = Integer.MAX_VALUE - 64;
    private static final byte[] ZIP_MAGIC = {'P', 'K', 3, 4};

    /** The two entries' bytes. */
    public record Parts(byte[] config, byte[] weights) {
    }

    private KilnArchive() {
    }

    public static void write(OutputStream out, byte[] config, byte[] weights) throws IOException {
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

    /** Reads an archive of {@code size} bytes from {@code in}; {@code source} names it in messages. */
    public static Parts read(InputStream in, long size, String source) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(ZIP_MAGIC.length);
        byte[] magic = buffered.readNBytes(ZIP_MAGIC.length);
        buffered.reset();
        if (magic.length < ZIP_MAGIC.length || !Arrays.equals(magic, ZIP_MAGIC)) {
            throw new ModelFormatException(source, "not a .kiln file: a .kiln file is a zip archive and starts with"
                    + " 'PK\\3\\4'");
        }
        // A deflated entry may legitimately grow, but not without bound: a zip bomb stops at this cap.
        long weightsCap = Math.min(MAX_WEIGHTS_BYTES, Math.max(64L << 20, 100 * size));
        byte[] config = null;
        byte[] weights = null;
        try (ZipInputStream zip = new ZipInputStream(buffered)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                String name = entry.getName();
                if (name.equals(CONFIG_ENTRY) && config == null) {
                    config = readEntry(zip, entry, MAX_CONFIG_BYTES, source);
                } else if (name.equals(WEIGHTS_ENTRY) && weights == null) {
                    weights = readEntry(zip, entry, weightsCap, source);
                } else {
                    throw new ModelFormatException(source, "unexpected zip entry '" + name + "'; a .kiln file holds "
                            + CONFIG_ENTRY + " and " + WEIGHTS_ENTRY + ", each once");
                }
            }
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            // The JDK's zip reader says ZipException/EOFException for damaged archives and
            // IllegalArgumentException for an entry name that is not valid UTF-8.
            throw new ModelFormatException(source, "damaged zip archive: " + e.getMessage(), e);
        }
        if (config == null || weights == null) {
            throw new ModelFormatException(source, "not a complete .kiln file: the archive lacks "
                    + (config == null ? CONFIG_ENTRY : WEIGHTS_ENTRY));
        }
        return new Parts(config, weights);
    }

    /** The entry's bytes, at most {@code cap} of them; memory grows with the bytes actually read. */
    private static byte[] readEntry(ZipInputStream zip, ZipEntry entry, long cap, String source) throws IOException {
        if (entry.getSize() > cap) {
            throw new ModelFormatException(source, "entry '" + entry.getName() + "' claims " + entry.getSize()
                    + " bytes; at most " + cap + " are allowed here");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(Math.max(entry.getSize(), 0), 1 << 16));
        byte[] chunk = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = zip.read(chunk)) > 0) {
            total += n;
            if (total > cap) {
                throw new ModelFormatException(source, "entry '" + entry.getName() + "' holds more than " + cap
                        + " bytes, the most allowed here");
            }
            out.write(chunk, 0, n);
        }
        if (entry.getSize() >= 0 && total != entry.getSize()) {
            throw new ModelFormatException(source, "entry '" + entry.getName() + "' holds " + total
                    + " bytes but its header says " + entry.getSize());
        }
        return out.toByteArray();
    }
}
