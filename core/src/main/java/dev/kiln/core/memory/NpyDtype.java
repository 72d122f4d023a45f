package dev.kiln.core.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The NumPy element types {@code Tensor.fromNpy} reads, each converted to float32 on the way in. The
 * descr string is NumPy's: byte order ({@code <} little, {@code >} big, {@code |} not applicable), kind
 * and size in bytes.
 */
enum NpyDtype {
    FLOAT32('f', 4),
    FLOAT64('f', 8),
    INT32('i', 4),
    INT64('i', 8),
    UINT8('u', 1);

    private final char kind;
    private final int itemBytes;

    NpyDtype(char kind, int itemBytes) {
        this.kind = kind;
        this.itemBytes = itemBytes;
    }

    int itemBytes() {
        return itemBytes;
    }

    /** The descr NumPy writes for this type in little-endian order (what Kiln writes too). */
    String littleEndianDescr() {
        return (itemBytes == 1 ? "|" : "<") + kind + itemBytes;
    }

    /** An element type and the byte order of its stored elements. */
    record Parsed(NpyDtype type, ByteOrder order) {
    }

    /** Parses a descr such as {@code <f4} or {@code |u1}; null when Kiln does not read that type. */
    static Parsed parse(String descr) {
        if (descr.length() < 3) {
            return null;
        }
        char orderChar = descr.charAt(0);
        ByteOrder order = switch (orderChar) {
            case '<' -> ByteOrder.LITTLE_ENDIAN;
            case '>' -> ByteOrder.BIG_ENDIAN;
            case '=' -> ByteOrder.nativeOrder();
            case '|' -> ByteOrder.LITTLE_ENDIAN; // single-byte types have no order
            default -> null;
        };
        if (order == null) {
            return null;
        }
        String rest = descr.substring(1);
        for (NpyDtype type : values()) {
            if (rest.equals("" + type.kind + type.itemBytes)) {
                // NumPy writes '|' for one-byte types only; accept '<'/'>' there too, as NumPy does.
                if (orderChar == '|' && type.itemBytes != 1) {
                    return null;
                }
                return new Parsed(type, order);
            }
        }
        return null;
    }

    /** Converts {@code count} stored elements at {@code src} into floats at {@code dst[dstIndex...]}. */
    void toFloats(MemorySegment src, ByteOrder order, MemorySegment dst, long dstIndex, int count) {
        switch (this) {
            case FLOAT32 -> MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order), 0,
                    dst, ValueLayout.JAVA_FLOAT, dstIndex * Float.BYTES, count);
            case FLOAT64 -> {
                ValueLayout.OfDouble layout = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order);
                for (int i = 0; i < count; i++) {
                    dst.setAtIndex(ValueLayout.JAVA_FLOAT, dstIndex + i, (float) src.getAtIndex(layout, i));
                }
            }
            case INT32 -> {
                ValueLayout.OfInt layout = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
                for (int i = 0; i < count; i++) {
                    dst.setAtIndex(ValueLayout.JAVA_FLOAT, dstIndex + i, (float) src.getAtIndex(layout, i));
                }
            }
            case INT64 -> {
                ValueLayout.OfLong layout = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
                for (int i = 0; i < count; i++) {
                    dst.setAtIndex(ValueLayout.JAVA_FLOAT, dstIndex + i, (float) src.getAtIndex(layout, i));
                }
            }
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    dst.setAtIndex(ValueLayout.JAVA_FLOAT, dstIndex + i,
                            (float) Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, i)));
                }
            }
        }
    }

    /**
     * Converts {@code count} stored elements at byte {@code srcOffset} of {@code src} into
     * {@code dst[dstIndex...]}; allocates nothing (a streamed row lands in a reused batch array).
     */
    void toFloats(MemorySegment src, long srcOffset, ByteOrder order, float[] dst, int dstIndex, int count) {
        switch (this) {
            case FLOAT32 -> MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(order), srcOffset,
                    dst, dstIndex, count);
            case FLOAT64 -> {
                ValueLayout.OfDouble layout = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(order);
                for (int i = 0; i < count; i++) {
                    dst[dstIndex + i] = (float) src.get(layout, srcOffset + (long) i * Double.BYTES);
                }
            }
            case INT32 -> {
                ValueLayout.OfInt layout = ValueLayout.JAVA_INT_UNALIGNED.withOrder(order);
                for (int i = 0; i < count; i++) {
                    dst[dstIndex + i] = (float) src.get(layout, srcOffset + (long) i * Integer.BYTES);
                }
            }
            case INT64 -> {
                ValueLayout.OfLong layout = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(order);
                for (int i = 0; i < count; i++) {
                    dst[dstIndex + i] = (float) src.get(layout, srcOffset + (long) i * Long.BYTES);
                }
            }
            case UINT8 -> {
                for (int i = 0; i < count; i++) {
                    dst[dstIndex + i] = (float) Byte.toUnsignedInt(src.get(ValueLayout.JAVA_BYTE, srcOffset + i));
                }
            }
        }
    }
}
