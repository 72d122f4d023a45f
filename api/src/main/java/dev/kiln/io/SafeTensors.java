package dev.kiln.io;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.io.AtomicFiles;
import java.io.ByteArrayInputStream;
import java.io.BufferedInputStream;
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
 * 100 MB cap (as the reference implementation does), the JSON, each dtype (only F32), each shape
 * against its byte range, that the ranges tile the data without gaps or overlaps, and that the data
 * ends where the file ends. Anything else is a {@link ModelFormatException} naming the problem.
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

    /** The file's bytes. */
    public static byte[] encode(Map<String, Entry> tensors, Map<String, String> metadata) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            metadata.forEach(meta::put);
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
        int headerLength = json.length + (8 - json.length % 8) % 8;
        long total = 8L + headerLength + offset;
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("tensors of " + offset + " bytes are too large for one file (2 GiB at most)");
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
