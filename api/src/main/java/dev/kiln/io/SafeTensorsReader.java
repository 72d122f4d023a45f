package dev.kiln.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over a safetensors stream: the length, then the header (validated as a whole), then the
 * tensors in offset order. See {@link SafeTensors} for the checks.
 */
final class SafeTensorsReader {
    private final InputStream in;
    private final long size;
    private final String source;

    /** A tensor as the header describes it, before its bytes are read. */
    private record Info(String name, int[] shape, int count, long begin, long end) {
    }

    SafeTensorsReader(InputStream in, long size, String source) {
        this.in = in;
        this.size = size;
        this.source = source;
    }

    SafeTensors.Contents read() throws IOException {
        if (size < 8) {
            throw fail("too short (" + size + " bytes): a safetensors file starts with an 8-byte header length");
        }
        long headerLength = ByteBuffer.wrap(readFully(8)).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > SafeTensors.MAX_HEADER_BYTES || headerLength > size - 8) {
            throw fail("header length " + Long.toUnsignedString(headerLength) + " is impossible: the file has "
                    + (size - 8) + " bytes after the length field and headers are at most "
                    + SafeTensors.MAX_HEADER_BYTES + " bytes");
        }
        byte[] headerBytes = readFully((int) headerLength);
        if (headerBytes[0] != '{') {
            throw fail("the header does not start with '{': not a safetensors file");
        }
        JsonNode header;
        try {
            header = SafeTensors.JSON.readTree(headerBytes);
        } catch (JacksonException e) {
            throw fail("the header is not valid JSON: " + e.getOriginalMessage());
        }
        if (header == null || !header.isObject()) {
            throw fail("the header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Info> infos = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : header.properties()) {
            if (field.getKey().equals(SafeTensors.METADATA_KEY)) {
                readMetadata(field.getValue(), metadata);
            } else {
                infos.add(info(field.getKey(), field.getValue()));
            }
        }
        checkLayout(infos, size - 8 - headerLength);

        // Only now, with every claim checked against the real size, are the values allocated.
        Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
        List<Info> byOffset = new ArrayList<>(infos);
        byOffset.sort(Comparator.comparingLong(Info::begin));
        Map<String, float[]> values = new LinkedHashMap<>();
        for (Info info : byOffset) {
            values.put(info.name(), readFloats(info.count()));
        }
        for (Info info : infos) {
            tensors.put(info.name(), new SafeTensors.Entry(info.shape(), values.get(info.name())));
        }
        return new SafeTensors.Contents(metadata, tensors);
    }

    private void readMetadata(JsonNode node, Map<String, String> metadata) throws ModelFormatException {
        if (!node.isObject()) {
            throw fail(SafeTensors.METADATA_KEY + " must be an object of strings, found " + node.getNodeType());
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw fail(SafeTensors.METADATA_KEY + " value '" + e.getKey() + "' must be a string, found "
                        + e.getValue().getNodeType());
            }
            metadata.put(e.getKey(), e.getValue().textValue());
        }
    }

    private Info info(String name, JsonNode node) throws ModelFormatException {
        if (!node.isObject()) {
            throw fail("tensor '" + name + "' must be described by an object, found " + node.getNodeType());
        }
        JsonNode dtype = node.get("dtype");
        if (dtype == null || !dtype.isTextual()) {
            throw fail("tensor '" + name + "' has no dtype string");
        }
        if (!dtype.textValue().equals("F32")) {
            throw fail("tensor '" + name + "' has dtype " + dtype.textValue()
                    + "; Kiln reads only F32 tensors (in PyTorch, save tensor.float())");
        }
        JsonNode shapeNode = node.get("shape");
        if (shapeNode == null || !shapeNode.isArray() || shapeNode.size() > 8) {
            throw fail("tensor '" + name + "' needs a shape: an array of at most 8 dimensions");
        }
        int[] shape = new int[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < 0) {
                throw fail("tensor '" + name + "' has dimension " + d + " in its shape; expected an integer >= 0");
            }
            shape[i] = d.intValue();
            count *= shape[i];
            if (count > Integer.MAX_VALUE) {
                throw fail("tensor '" + name + "' of shape " + shapeNode + " has more than 2^31 values");
            }
        }
        JsonNode offsets = node.get("data_offsets");
        if (offsets == null || !offsets.isArray() || offsets.size() != 2
                || !offsets.get(0).isIntegralNumber() || !offsets.get(0).canConvertToLong()
                || !offsets.get(1).isIntegralNumber() || !offsets.get(1).canConvertToLong()) {
            throw fail("tensor '" + name + "' needs data_offsets: [begin, end] as two integers");
        }
        long begin = offsets.get(0).longValue();
        long end = offsets.get(1).longValue();
        if (begin < 0 || end < begin) {
            throw fail("tensor '" + name + "' has data_offsets " + offsets + "; expected 0 <= begin <= end");
        }
        if (end - begin != count * Float.BYTES) {
            throw fail("tensor '" + name + "' of shape " + Arrays.toString(shape) + " needs " + count * Float.BYTES
                    + " bytes but its data_offsets " + offsets + " span " + (end - begin));
        }
        return new Info(name, shape, (int) count, begin, end);
    }

    /** The ranges must tile [0, dataLength) exactly, in some order: no gap, no overlap, nothing after. */
    private void checkLayout(List<Info> infos, long available) throws ModelFormatException {
        List<Info> sorted = new ArrayList<>(infos);
        sorted.sort(Comparator.comparingLong(Info::begin).thenComparingLong(Info::end));
        long expected = 0;
        for (Info info : sorted) {
            if (info.begin() != expected) {
                throw fail("tensor '" + info.name() + "' starts at byte " + info.begin() + " of the data but "
                        + (info.begin() < expected ? "the previous tensor ends at " : "the data before it ends at ")
                        + expected + " (tensors must not overlap or leave gaps)");
            }
            expected = info.end();
        }
        if (expected != available) {
            throw fail("the tensors hold " + expected + " bytes but the file has " + available
                    + " bytes of data after its header" + (expected > available ? " (truncated?)" : ""));
        }
    }

    private float[] readFloats(int count) throws IOException {
        float[] out = new float[count];
        byte[] chunk = new byte[(int) Math.min((long) count * Float.BYTES, 1 << 16)];
        ByteBuffer view = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, chunk.length / Float.BYTES);
            readFully(chunk, n * Float.BYTES);
            view.clear();
            view.asFloatBuffer().get(out, done, n);
            done += n;
        }
        return out;
    }

    private byte[] readFully(int length) throws IOException {
        byte[] b = new byte[length];
        readFully(b, length);
        return b;
    }

    private void readFully(byte[] b, int length) throws IOException {
        try {
            int read = in.readNBytes(b, 0, length);
            if (read < length) {
                throw fail("truncated: the file ends before the bytes its header announces");
            }
        } catch (EOFException e) {
            throw fail("truncated: " + e.getMessage());
        }
    }

    private ModelFormatException fail(String problem) {
        return new ModelFormatException(source, problem);
    }
}
