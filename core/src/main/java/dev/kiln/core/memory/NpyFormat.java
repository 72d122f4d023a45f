package dev.kiln.core.memory;

import dev.kiln.core.io.AtomicFiles;
import dev.kiln.core.io.FileKind;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * NumPy's {@code .npy} format (versions 1.0, 2.0 and 3.0), read into and written from float32 tensors.
 * The format: the magic {@code \x93NUMPY}, a major and minor version byte, the header length (2 bytes
 * little-endian in 1.0, 4 bytes in 2.0 and 3.0), the header (a Python dict literal with descr,
 * fortran_order and shape, padded with spaces and ended by a newline), then the raw elements.
 *
 * <p>Reading checks everything before it allocates: the magic and version, a header length the file can
 * hold, the header's syntax, the dtype, and that shape × item size is exactly the number of bytes after
 * the header (so a header claiming 2<sup>60</sup> bytes is refused at once). {@code <f4}, {@code <f8},
 * {@code <i4}, {@code <i8} and {@code |u1} (and their big-endian forms) are converted to float32 as NumPy's
 * {@code astype(np.float32)} would (uint8 stays 0..255). Fortran-ordered arrays are reordered into C order
 * (row-major), so the tensor has the same shape and the same element at each index as the NumPy array.
 *
 * <p>Writing produces version 1.0 with descr {@code <f4}, C order, and the header padded so the data
 * starts at a multiple of 64 bytes, as NumPy does. The file is written by {@link AtomicFiles}, like every
 * file Kiln saves: beside the target, then moved over it atomically (a crash mid-write leaves the previous
 * file whole), with the permissions of the file it replaces or rw-r--r--.
 */
final class NpyFormat {
    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    static final int ALIGNMENT = 64;
    private static final int CHUNK_BYTES = 1 << 20; // a multiple of every item size

    private NpyFormat() {
    }

    static Tensor read(Path file) throws IOException {
        String otherKind = FileKind.mismatch(file, "a NumPy .npy file", FileKind.NPY);
        if (otherKind != null) {
            throw new NpyFormatException(file, otherKind);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            Layout layout = layout(channel, file);
            NpyHeader header = layout.header();
            Tensor tensor = Tensor.zeros(header.shape());
            readElements(channel, layout.dataOffset(), header, tensor, file);
            return header.fortranOrder() && header.shape().length > 1 ? toRowMajor(tensor) : tensor;
        }
    }

    /** Where a checked file's elements start, and what they are. */
    record Layout(NpyHeader header, long dataOffset) {
    }

    /**
     * Reads and checks the magic, version and header of an open file, and that the bytes after the header
     * are exactly what the header's shape and dtype need; reads no element.
     */
    static Layout layout(FileChannel channel, Path file) throws IOException {
        long fileBytes = channel.size();
        ByteBuffer prefix = readExactly(channel, 0, (int) Math.min(fileBytes, 12), file);
        if (prefix.remaining() < 10 || !Arrays.equals(Arrays.copyOf(prefix.array(), 6), MAGIC)) {
            throw new NpyFormatException(file, "not a .npy file: it does not start with the magic \\x93NUMPY"
                    + " followed by a version and a header length");
        }
        int major = prefix.get(6) & 0xFF;
        int minor = prefix.get(7) & 0xFF;
        if (major < 1 || major > 3 || minor != 0) {
            throw new NpyFormatException(file, "format version " + major + "." + minor
                    + " is not supported; Kiln reads 1.0, 2.0 and 3.0");
        }
        int lengthBytes = major == 1 ? 2 : 4;
        if (prefix.remaining() < 8 + lengthBytes) {
            throw new NpyFormatException(file, "truncated inside the header length");
        }
        long headerBytes = major == 1 ? Short.toUnsignedInt(prefix.order(ByteOrder.LITTLE_ENDIAN).getShort(8))
                : Integer.toUnsignedLong(prefix.order(ByteOrder.LITTLE_ENDIAN).getInt(8));
        long dataOffset = 8 + lengthBytes + headerBytes;
        if (headerBytes > NpyHeader.MAX_HEADER_BYTES) {
            throw new NpyFormatException(file, "header length " + headerBytes + " is more than the "
                    + NpyHeader.MAX_HEADER_BYTES + " bytes any real header needs; refusing to read it");
        }
        if (dataOffset > fileBytes) {
            throw new NpyFormatException(file, "truncated: the header claims " + headerBytes
                    + " bytes but the file has only " + fileBytes + " bytes in all");
        }
        ByteBuffer headerBuffer = readExactly(channel, 8 + lengthBytes, (int) headerBytes, file);
        String text = new String(headerBuffer.array(), 0, (int) headerBytes,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        NpyHeader header = NpyHeader.parse(text, file);
        long expectedData = dataBytes(header, file);
        long actualData = fileBytes - dataOffset;
        if (actualData != expectedData) {
            throw new NpyFormatException(file, "shape " + header.describeShape() + " of " + header.descr()
                    + " needs " + expectedData + " data bytes, found " + actualData
                    + (actualData < expectedData ? " (truncated)" : " (trailing bytes)"));
        }
        return new Layout(header, dataOffset);
    }

    /** shape × item size, refusing products that overflow a long or that no Tensor could hold. */
    private static long dataBytes(NpyHeader header, Path file) throws NpyFormatException {
        // A zero axis holds no data whatever the other axes say: (2^31−1, 2^31−1, 0) is empty, not too large.
        if (Arrays.stream(header.shape()).anyMatch(d -> d == 0)) {
            return 0;
        }
        long bytes = header.dtype().type().itemBytes();
        for (int d : header.shape()) {
            try {
                bytes = Math.multiplyExact(bytes, (long) d);
            } catch (ArithmeticException e) {
                throw new NpyFormatException(file, "shape " + header.describeShape() + " of " + header.descr()
                        + " claims more than 2^63 bytes; refusing to read it");
            }
        }
        return bytes;
    }

    private static void readElements(FileChannel channel, long offset, NpyHeader header, Tensor tensor, Path file)
            throws IOException {
        NpyDtype type = header.dtype().type();
        ByteOrder order = header.dtype().order();
        long count = tensor.size();
        ByteBuffer chunk = ByteBuffer.allocate((int) Math.min(CHUNK_BYTES, Math.max(count * type.itemBytes(), 1)));
        int perChunk = chunk.capacity() / type.itemBytes();
        for (long done = 0; done < count; ) {
            int n = (int) Math.min(perChunk, count - done);
            chunk.clear().limit(n * type.itemBytes());
            readFully(channel, offset + done * type.itemBytes(), chunk, file);
            type.toFloats(MemorySegment.ofBuffer(chunk.flip()), order, tensor.segment(), done, n);
            done += n;
        }
    }

    /** Fortran order stores the first axis fastest; walk it that way and place each element in C order. */
    private static Tensor toRowMajor(Tensor columnMajor) {
        int[] shape = columnMajor.shape();
        long[] cStrides = new long[shape.length];
        long stride = 1;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            cStrides[axis] = stride;
            stride *= shape[axis];
        }
        Tensor rowMajor = Tensor.zeros(shape);
        int[] index = new int[shape.length];
        long cIndex = 0;
        for (long f = 0; f < columnMajor.size(); f++) {
            rowMajor.segment().setAtIndex(ValueLayout.JAVA_FLOAT, cIndex,
                    columnMajor.segment().getAtIndex(ValueLayout.JAVA_FLOAT, f));
            for (int axis = 0; axis < shape.length; axis++) {
                if (++index[axis] < shape[axis]) {
                    cIndex += cStrides[axis];
                    break;
                }
                cIndex -= (long) (shape[axis] - 1) * cStrides[axis];
                index[axis] = 0;
            }
        }
        return rowMajor;
    }

    static void write(Tensor tensor, Path target) throws IOException {
        byte[] header = paddedHeader(tensor.shape());
        AtomicFiles.write(target, out -> {
            out.write(header);
            writeElements(out, tensor);
        });
    }

    /** Magic, version, length and the dict padded with spaces and a newline to a multiple of 64 bytes. */
    static byte[] paddedHeader(int[] shape) {
        String dict = NpyHeader.format(shape);
        int prefixBytes = dict.length() + 1 <= 0xFFFF - ALIGNMENT ? 10 : 12;
        int total = (prefixBytes + dict.length() + 1 + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        int headerBytes = total - prefixBytes;
        ByteBuffer out = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) (prefixBytes == 10 ? 1 : 2)).put((byte) 0);
        if (prefixBytes == 10) {
            out.putShort((short) headerBytes);
        } else {
            out.putInt(headerBytes);
        }
        out.put((dict + " ".repeat(headerBytes - dict.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1));
        return out.array();
    }

    private static void writeElements(OutputStream out, Tensor tensor) throws IOException {
        byte[] chunk = new byte[(int) Math.min(CHUNK_BYTES, Math.max(tensor.size() * Float.BYTES, 1))];
        MemorySegment chunkSegment = MemorySegment.ofArray(chunk);
        int perChunk = chunk.length / Float.BYTES;
        for (long done = 0; done < tensor.size(); ) {
            int n = (int) Math.min(perChunk, tensor.size() - done);
            MemorySegment.copy(tensor.segment(), ValueLayout.JAVA_FLOAT, done * Float.BYTES, chunkSegment,
                    ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, n);
            out.write(chunk, 0, n * Float.BYTES);
            done += n;
        }
    }

    private static ByteBuffer readExactly(FileChannel channel, long position, int length, Path file)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        readFully(channel, position, buffer, file);
        return buffer.flip();
    }

    private static void readFully(FileChannel channel, long position, ByteBuffer buffer, Path file)
            throws IOException {
        long at = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, at);
            if (n < 0) {
                throw new NpyFormatException(file, "truncated: the file ended at byte " + at
                        + " while reading (it shrank while being read?)");
            }
            at += n;
        }
    }
}
