package dev.kiln.core.memory;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds .npy files byte by byte, as the NumPy format document describes them, for tests. */
final class NpyTestFiles {
    private NpyTestFiles() {
    }

    /** A file of {@code descr} elements holding {@code values} in the given (storage) order. */
    static byte[] npy(int version, String descr, boolean fortran, int[] shape, double[] values) {
        String dict = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False")
                + ", 'shape': " + NpyHeader.describe(shape) + ", }";
        return withHeader(version, dict, encode(descr, values));
    }

    /** Magic, version, header length, the dict padded to 64 bytes with a newline, then the data. */
    static byte[] withHeader(int version, String dict, byte[] data) {
        int prefix = version == 1 ? 10 : 12;
        int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
        int headerBytes = total - prefix;
        ByteBuffer out = ByteBuffer.allocate(total + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(NpyFormat.MAGIC).put((byte) version).put((byte) 0);
        if (version == 1) {
            out.putShort((short) headerBytes);
        } else {
            out.putInt(headerBytes);
        }
        out.put((dict + " ".repeat(headerBytes - dict.length() - 1) + "\n").getBytes(StandardCharsets.UTF_8));
        return out.put(data).array();
    }

    static byte[] floats(float... values) {
        ByteBuffer out = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            out.putFloat(v);
        }
        return out.array();
    }

    private static byte[] encode(String descr, double[] values) {
        int size = descr.charAt(2) - '0';
        ByteBuffer out = ByteBuffer.allocate(values.length * size)
                .order(descr.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (descr.substring(1)) {
                case "f4" -> out.putFloat((float) v);
                case "f8" -> out.putDouble(v);
                case "i4" -> out.putInt((int) v);
                case "i8" -> out.putLong((long) v);
                case "u1" -> out.put((byte) v);
                default -> throw new IllegalArgumentException(descr);
            }
        }
        return out.array();
    }
}
