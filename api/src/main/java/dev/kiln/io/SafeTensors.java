package dev.kiln.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.FileKind;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the safetensors format (Hugging Face's, read by PyTorch, JAX and Keras tools) for
 * float32 tensors: an 8-byte little-endian header length N, N bytes of JSON
 * {@code {"__metadata__": {...}, "name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}}
 * padded with spaces to a multiple of 8, then the tensors' bytes back to back, little-endian, offsets
 * counted from the end of the header.
 *
 * <p>Reading checks everything before it allocates: the header length against the file size and a
 * 100 MB cap (as the reference implementation does), the JSON (parsed as a stream, at most
 * {@value #MAX_TENSORS} tensors and {@value #MAX_METADATA_ENTRIES} metadata entries), each dtype (only
 * F32), each shape against its byte range, that the ranges tile the data without gaps or overlaps,
 * and that the data ends where the file ends. Anything else is a {@link ModelFormatException} naming
 * the problem. Writing refuses, with an {@link IllegalArgumentException}, what reading would refuse.
 *
 * <pre>{@code
 * var tensors = new LinkedHashMap<String, SafeTensors.Entry>();
 * tensors.put("dense/kernel", new SafeTensors.Entry(new int[] {784, 128}, kernel));
 * SafeTensors.write(Path.of("w.safetensors"), tensors, Map.of("format", "pt"));
 * SafeTensors.Contents back = SafeTensors.read(Path.of("w.safetensors"));
 * }</pre>
 */
public final class SafeTensors {
    /** The reference implementation's cap on the JSON header. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    /**
     * The most tensors a file may describe. A Kiln model has at most 10,000 layers of at most 4 weights,
     * each with up to 2 optimizer slots beside it in a .kiln file: 120,000 tensors. The cap leaves room
     * above that and keeps what a hostile header can make Kiln build (a name, a shape, a range per
     * tensor) to tens of megabytes.
     */
    public static final int MAX_TENSORS = 200_000;
    /** The most {@code __metadata__} entries; Kiln writes 3, other tools a handful. */
    public static final int MAX_METADATA_ENTRIES = 10_000;
    /** The most dimensions a tensor's shape may have. */
    public static final int MAX_DIMENSIONS = 8;
    /** The most bytes {@link #encode} can produce: one Java array's practical limit. */
    public static final long MAX_ENCODED_BYTES = Integer.MAX_VALUE - 64;
    static final String METADATA_KEY = "__metadata__";
    static final ObjectMapper JSON = Json.strictMapper();

    /** One float32 tensor: its shape and its values in row-major order. */
    public record Entry(int[] shape, float[] values) {
        public Entry {
            long count = 1;
            for (int d : shape) {
                if (d < 0) {
                    throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
                }
                count *= d;
            }
            if (count != values.length) {
                throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + count
                        + " values but " + values.length + " were given");
            }
        }
    }

    /** What a file holds: its free-form string metadata and its tensors by name, in header order. */
    public record Contents(Map<String, String> metadata, Map<String, Entry> tensors) {
        public Contents {
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        }
    }

    private SafeTensors() {
    }

    // ---- writing --------------------------------------------------------------------------------

    /** Writes the tensors (in map order) atomically: a crash leaves the previous file whole. */
    public static void write(Path path, Map<String, Entry> tensors, Map<String, String> metadata) throws IOException {
        byte[] bytes = encode(tensors, metadata);
        AtomicFiles.write(path, out -> out.write(bytes));
    }

    /** The file's bytes; refuses tensors or metadata that Kiln would not read back. */
    public static byte[] encode(Map<String, Entry> tensors, Map<String, String> metadata) {
        if (tensors.size() > MAX_TENSORS) {
            throw new IllegalArgumentException("cannot write " + tensors.size() + " tensors: Kiln reads at most "
                    + MAX_TENSORS + " tensors from one file (SafeTensors.MAX_TENSORS)");
        }
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            throw new IllegalArgumentException("cannot write " + metadata.size() + " metadata entries: Kiln reads"
                    + " no more than " + MAX_METADATA_ENTRIES + " metadata entries (SafeTensors.MAX_METADATA_ENTRIES)");
        }
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            metadata.forEach((key, value) -> {
                if (value == null) {
                    throw new IllegalArgumentException("metadata value '" + Abbreviated.name(key)
                            + "' is null; metadata values are strings");
                }
                meta.put(key, value);
            });
        }
        long offset = 0;
        for (Map.Entry<String, Entry> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA_KEY)) {
                throw new IllegalArgumentException("a tensor may not be named " + METADATA_KEY);
            }
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", "F32");
            ArrayNode shape = info.putArray("shape");
            for (int d : e.getValue().shape()) {
                shape.add(d);
            }
            long bytes = (long) e.getValue().values().length * Float.BYTES;
            info.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(header);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode a safetensors header", e);
        }
        // Padded with spaces so the data starts 8-byte aligned, as the reference writer does.
        long headerLength = json.length + (8 - json.length % 8) % 8;
        if (headerLength > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("the safetensors header would take " + headerLength
                    + " bytes; Kiln reads headers of at most " + MAX_HEADER_BYTES
                    + " bytes (SafeTensors.MAX_HEADER_BYTES)");
        }
        long total = 8L + headerLength + offset;
        if (total > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("tensors of " + offset + " bytes make a file of " + total
                    + " bytes; one file holds at most " + MAX_ENCODED_BYTES + " (SafeTensors.MAX_ENCODED_BYTES)");
        }
        try {
            // The reader's own checks (shapes, names, Jackson's limits) on the header about to be written.
            SafeTensorsHeader.parse(json, offset, "the header to write");
        } catch (ModelFormatException e) {
            throw new IllegalArgumentException("cannot write a file Kiln would not read back; " + e.getMessage(), e);
        }
        ByteBuffer out = ByteBuffer.allocate((int) total).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(headerLength);
        out.put(json);
        for (int i = json.length; i < headerLength; i++) {
            out.put((byte) ' ');
        }
        for (Entry e : tensors.values()) {
            out.asFloatBuffer().put(e.values());
            out.position(out.position() + e.values().length * Float.BYTES);
        }
        return out.array();
    }

    // ---- reading --------------------------------------------------------------------------------

    public static Contents read(Path path) throws IOException {
        String otherKind = FileKind.mismatch(path, "a safetensors file", FileKind.SAFETENSORS);
        if (otherKind != null) {
            throw new ModelFormatException(path.toString(), otherKind);
        }
        long size = Files.size(path);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return read(in, size, path.toString());
        }
    }

    public static Contents read(byte[] bytes, String source) throws ModelFormatException {
        try {
            return read(new ByteArrayInputStream(bytes), bytes.length, source);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new ModelFormatException(source, "unreadable: " + e.getMessage(), e);
        }
    }

    /**
     * Reads a file of exactly {@code size} bytes from {@code in}; {@code source} names it in messages.
     * Nothing larger than the header's validated claims, themselves bounded by {@code size}, is allocated.
     */
    public static Contents read(InputStream in, long size, String source) throws IOException {
        return new SafeTensorsReader(in, size, source).read();
    }
}
