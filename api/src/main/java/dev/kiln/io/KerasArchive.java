package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
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
 * The container of a Keras 3 {@code .keras} file: a zip archive of {@code metadata.json} (the Keras
 * version that wrote it), {@code config.json} (the model) and {@code model.weights.h5} (the weights
 * and optimizer variables in HDF5, {@link KerasWeights}), each once.
 *
 * <p>It is read with the same strict reader as a {@code .kiln} file ({@link StrictZipReader}): every
 * byte accounted for, a central directory that agrees with the entries, nothing after it. The JSON
 * entries may hold at most {@value #MAX_JSON_BYTES} bytes once inflated; the weights must be stored
 * (Keras stores every entry), so a small file cannot claim a large model. An {@code assets/} entry
 * is refused: it belongs to layers Kiln does not have (text vectorization, lookups).
 *
 * <pre>{@code
 * KerasArchive.Parts parts = KerasArchive.read(in, Files.size(path), path.toString());
 * KerasArchive.write(path, metadata, config, weights);
 * }</pre>
 */
public final class KerasArchive {
    public static final String METADATA_ENTRY = "metadata.json";
    public static final String CONFIG_ENTRY = "config.json";
    public static final String WEIGHTS_ENTRY = "model.weights.h5";
    /** The most bytes {@code config.json} or {@code metadata.json} may hold once inflated. */
    public static final long MAX_JSON_BYTES = KilnArchive.MAX_CONFIG_BYTES;
    /** The most bytes {@code model.weights.h5} may hold: one Java array's practical limit. */
    public static final long MAX_WEIGHTS_BYTES = KerasWeights.MAX_FILE_BYTES;

    /** The model's two entries ({@code metadata.json} is checked for the Keras version while reading). */
    public record Parts(byte[] config, byte[] weights) {
    }

    private KerasArchive() {
    }

    /** Writes the archive atomically, every entry stored, as Keras writes it. */
    public static void write(Path path, byte[] metadata, byte[] config, byte[] weights) throws IOException {
        checkWritable(metadata, config, weights);
        AtomicFiles.write(path, out -> write(out, metadata, config, weights));
    }

    private static void write(OutputStream out, byte[] metadata, byte[] config, byte[] weights) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        putStored(zip, METADATA_ENTRY, metadata);
        putStored(zip, CONFIG_ENTRY, config);
        putStored(zip, WEIGHTS_ENTRY, weights);
        zip.finish();
    }

    private static void putStored(ZipOutputStream zip, String name, byte[] bytes) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(bytes.length);
        entry.setCompressedSize(bytes.length);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(bytes);
        zip.closeEntry();
    }

    /** The model must never write a file it will not read back. */
    private static void checkWritable(byte[] metadata, byte[] config, byte[] weights) {
        if (config.length > MAX_JSON_BYTES) {
            throw new IllegalArgumentException("the model's " + CONFIG_ENTRY + " would take " + config.length
                    + " bytes; a .keras file Kiln reads holds at most " + MAX_JSON_BYTES);
        }
        if (weights.length > MAX_WEIGHTS_BYTES) {
            throw new IllegalArgumentException("the model's " + WEIGHTS_ENTRY + " would take " + weights.length
                    + " bytes; a .keras file Kiln reads holds at most " + MAX_WEIGHTS_BYTES);
        }
    }

    /** Reads an archive of {@code size} bytes from {@code in}; {@code source} names it in messages. */
    public static Parts read(InputStream in, long size, String source) throws IOException {
        Map<String, byte[]> entries = StrictZipReader.readArchive(in, size, source, ".keras", (name, method) -> {
            if (name.equals(CONFIG_ENTRY) || name.equals(METADATA_ENTRY)) {
                return MAX_JSON_BYTES;
            }
            if (name.startsWith("assets/")) {
                throw new ModelFormatException(source, "holds assets ('" + Abbreviated.name(name) + "'), which only"
                        + " layers Kiln does not have use (lookups, text vectorization)");
            }
            if (!name.equals(WEIGHTS_ENTRY)) {
                throw new ModelFormatException(source, "unexpected zip entry '" + Abbreviated.name(name)
                        + "'; a .keras file holds " + METADATA_ENTRY + ", " + CONFIG_ENTRY + " and " + WEIGHTS_ENTRY
                        + ", each once");
            }
            if (method != StrictZipReader.STORED) {
                throw new ModelFormatException(source, "entry '" + WEIGHTS_ENTRY + "' is compressed (method " + method
                        + "); Keras stores it, and Kiln reads it only stored, so its size is bounded by the file's");
            }
            return MAX_WEIGHTS_BYTES;
        });
        byte[] config = entries.get(CONFIG_ENTRY);
        byte[] weights = entries.get(WEIGHTS_ENTRY);
        if (config == null || weights == null) {
            throw new ModelFormatException(source, "not a complete .keras file: the archive lacks "
                    + (config == null ? CONFIG_ENTRY : WEIGHTS_ENTRY));
        }
        requireKeras3(entries.get(METADATA_ENTRY), source);
        return new Parts(config, weights);
    }

    /**
     * Keras 2.13 to 2.15 wrote {@code .keras} files too, with another weights layout; their
     * {@code metadata.json} says so, and such a file is refused by its version rather than by whichever
     * variable first fails to match.
     */
    private static void requireKeras3(byte[] metadata, String source) throws ModelFormatException {
        if (metadata == null) {
            return;
        }
        JsonNode version;
        try {
            version = SafeTensors.JSON.readTree(metadata).path("keras_version");
        } catch (IOException e) {
            throw new ModelFormatException(source, METADATA_ENTRY + " is not valid JSON: " + e.getMessage());
        }
        if (version.isTextual() && !version.textValue().startsWith("3.")) {
            throw new ModelFormatException(source, METADATA_ENTRY + " says Keras " + Abbreviated.name(version.textValue())
                    + " wrote this file; Kiln reads the layout of Keras 3");
        }
    }
}
