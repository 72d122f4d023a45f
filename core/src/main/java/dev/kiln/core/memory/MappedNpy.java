package dev.kiln.core.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Objects;

/**
 * A {@code .npy} file mapped into memory and read one row at a time, converted to float32 on the way
 * out: the operating system pages the file in and out, so a file far larger than the Java heap (or the
 * machine's memory) can be streamed. The header is checked as {@link Tensor#fromNpy} checks it; the
 * array must be in C order (row-major), as NumPy writes it by default.
 *
 * <pre>{@code
 * try (MappedNpy x = MappedNpy.open(Path.of("x.npy"))) {   // shape [1_000_000, 784]
 *     float[] row = new float[x.rowWidth()];
 *     x.readRow(41, row, 0);
 * }
 * }</pre>
 *
 * <p>Rows may be read from any thread; {@link #close()} unmaps the file, after which reads throw
 * {@link IllegalStateException}.
 */
public final class MappedNpy implements AutoCloseable {
    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final NpyHeader header;
    private final int rows;
    private final int rowWidth;
    private final long rowBytes;

    private MappedNpy(Path file, Arena arena, MemorySegment data, NpyHeader header) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.header = header;
        int[] shape = header.shape();
        this.rows = shape[0];
        long width = 1;
        for (int d = 1; d < shape.length; d++) {
            width *= shape[d];
        }
        this.rowWidth = (int) width;
        this.rowBytes = width * header.dtype().type().itemBytes();
    }

    /**
     * Maps {@code file}.
     *
     * @throws NpyFormatException when the file is not a valid {@code .npy} file, holds a type Kiln does not
     *         read, is Fortran-ordered, or has no row axis (a scalar) or rows wider than a Java array
     */
    public static MappedNpy open(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            NpyFormat.Layout layout = NpyFormat.layout(channel, file);
            NpyHeader header = layout.header();
            int[] shape = header.shape();
            if (shape.length == 0) {
                throw new NpyFormatException(file, "holds a scalar; a data set needs a first axis of rows");
            }
            if (header.fortranOrder() && shape.length > 1) {
                throw new NpyFormatException(file, "is in Fortran order (column-major), which cannot be streamed"
                        + " row by row; write it with np.ascontiguousarray(a) first");
            }
            long width = 1;
            for (int d = 1; d < shape.length; d++) {
                width *= shape[d];
            }
            if (width > Tensor.MAX_ARRAY_LENGTH) {
                throw new NpyFormatException(file, "rows of shape " + NpyHeader.describe(Arrays.copyOfRange(shape, 1,
                        shape.length)) + " hold " + width + " values, more than one Java array can hold");
            }
            Arena arena = Arena.ofShared();
            try {
                MemorySegment data = channel.map(FileChannel.MapMode.READ_ONLY, layout.dataOffset(),
                        channel.size() - layout.dataOffset(), arena);
                return new MappedNpy(file, arena, data, header);
            } catch (IOException | RuntimeException e) {
                arena.close();
                throw e;
            }
        }
    }

    public Path file() {
        return file;
    }

    /** The array's shape, rows first. */
    public int[] shape() {
        return header.shape().clone();
    }

    public int rows() {
        return rows;
    }

    /** Values per row: the product of every axis but the first (1 for a one-dimensional array). */
    public int rowWidth() {
        return rowWidth;
    }

    /** Copies row {@code row}, converted to float32, into {@code dst[dstIndex .. dstIndex + rowWidth())}. */
    public void readRow(int row, float[] dst, int dstIndex) {
        Objects.checkIndex(row, rows);
        Objects.checkFromIndexSize(dstIndex, rowWidth, dst.length);
        header.dtype().type().toFloats(data, row * rowBytes, header.dtype().order(), dst, dstIndex, rowWidth);
    }

    /** Unmaps the file; a second call does nothing. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) {
            arena.close();
        }
    }
}
