package dev.kiln.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One pass over a safetensors stream: the length, then the header (checked by
 * {@link SafeTensorsHeader} against the bytes that follow it), then the tensors in offset order.
 */
final class SafeTensorsReader {
    private final InputStream in;
    private final long size;
    private final String source;

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
        SafeTensorsHeader header = SafeTensorsHeader.parse(headerBytes, size - 8 - headerLength, source);

        // Only now, with every claim checked against the real size, are the values allocated.
        List<SafeTensorsHeader.Info> byOffset = new ArrayList<>(header.tensors);
        byOffset.sort(Comparator.comparingLong(SafeTensorsHeader.Info::begin));
        Map<String, float[]> values = new HashMap<>();
        for (SafeTensorsHeader.Info info : byOffset) {
            values.put(info.name(), readFloats(info.count()));
        }
        Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
        for (SafeTensorsHeader.Info info : header.tensors) {
            tensors.put(info.name(), new SafeTensors.Entry(info.shape(), values.get(info.name())));
        }
        return new SafeTensors.Contents(header.metadata, tensors);
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
