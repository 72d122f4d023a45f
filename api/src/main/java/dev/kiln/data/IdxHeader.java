package dev.kiln.data;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The header of an unsigned-byte IDX file: {@code 00 00 08 n} followed by n big-endian dimension sizes.
 * Parsing validates everything a reader needs before it allocates: the magic, the data type, the number
 * of dimensions and that the payload the dimensions describe is a sane number of bytes.
 */
record IdxHeader(int[] dimensions, long payloadBytes) {
    /** Data type code of unsigned bytes, the only one Fashion-MNIST (and MNIST) use. */
    static final int UNSIGNED_BYTE = 0x08;

    /**
     * The largest payload we agree to read. One Java array cannot hold more (and one label or one image
     * holds up to all of it), so a header claiming more is refused before anything is allocated.
     */
    static final long MAX_PAYLOAD_BYTES = ArrayGrowth.MAX_LENGTH;

    static int headerBytes(int dimensionCount) {
        return 4 + 4 * dimensionCount;
    }

    int headerBytes() {
        return headerBytes(dimensions.length);
    }

    int count() {
        return dimensions[0];
    }

    /** Bytes per item: 1 for a label, rows × columns for an image. */
    int itemBytes() {
        return (int) (payloadBytes / dimensions[0]);
    }

    static IdxHeader read(DataInputStream in, Path file, int expectedDimensions) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new IdxFormatException(file, "too short to hold an IDX header", e);
        }
        if ((magic >>> 16) != 0) {
            throw new IdxFormatException(file, String.format(
                    "not an IDX file: magic 0x%08X does not start with two zero bytes", magic));
        }
        int type = (magic >>> 8) & 0xFF;
        if (type != UNSIGNED_BYTE) {
            throw new IdxFormatException(file, String.format(
                    "data type 0x%02X is not supported; only 0x08 (unsigned byte) is", type));
        }
        int dimensionCount = magic & 0xFF;
        if (dimensionCount != expectedDimensions) {
            throw new IdxFormatException(file, String.format(
                    "expected magic 0x%08X (%d dimensions) but found 0x%08X (%d dimensions)",
                    (UNSIGNED_BYTE << 8) | expectedDimensions, expectedDimensions, magic, dimensionCount));
        }
        int[] dimensions = new int[dimensionCount];
        long payload = 1;
        try {
            for (int i = 0; i < dimensionCount; i++) {
                dimensions[i] = in.readInt();
                if (dimensions[i] <= 0) {
                    throw new IdxFormatException(file, "dimension " + i + " is " + dimensions[i]
                            + "; every dimension must be positive");
                }
                // Each factor is below 2^31 and the running product is capped below 2^31, so this cannot overflow.
                payload *= dimensions[i];
                if (payload > MAX_PAYLOAD_BYTES) {
                    throw new IdxFormatException(file, "dimensions " + describe(dimensions, i + 1)
                            + " claim more than " + MAX_PAYLOAD_BYTES + " bytes; refusing to read it");
                }
            }
        } catch (EOFException e) {
            throw new IdxFormatException(file, "truncated inside the header: expected "
                    + headerBytes(dimensionCount) + " header bytes", e);
        }
        return new IdxHeader(dimensions, payload);
    }

    private static String describe(int[] dimensions, int known) {
        return Arrays.toString(Arrays.copyOf(dimensions, known));
    }

    @Override
    public String toString() {
        return "IdxHeader" + Arrays.toString(dimensions);
    }
}
