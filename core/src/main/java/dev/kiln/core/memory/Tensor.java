package dev.kiln.core.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;

/**
 * A float32 tensor: a shape and an off-heap {@link MemorySegment} holding its elements row-major.
 *
 * <p>Tensors a user makes ({@link #of(float[][])}, {@link #zeros(int...)}) live in an automatic arena
 * and are freed by the garbage collector; tensors inside a compiled model live in the model's own
 * arena and die with it.
 *
 * <pre>{@code
 * Tensor x = Tensor.of(new float[][] {{0, 1}, {1, 0}});
 * x.shape();      // [2, 2]
 * x.get(1, 0);    // 1.0
 * }</pre>
 */
public final class Tensor {
    private final int[] shape;
    private final long size;
    private final MemorySegment data;

    private Tensor(MemorySegment data, int[] shape) {
        this.shape = shape.clone();
        this.size = elementCount(shape);
        if (data.byteSize() < size * Float.BYTES) {
            throw new IllegalArgumentException("segment of " + data.byteSize() + " bytes cannot hold shape "
                    + Arrays.toString(shape) + " (" + size * Float.BYTES + " bytes)");
        }
        this.data = data;
    }

    /** A zero-filled tensor in {@code arena}, 64-byte aligned so vector loads never straddle lines. */
    public static Tensor allocate(Arena arena, int... shape) {
        return new Tensor(Memory.allocateFloats(arena, elementCount(shape)), shape);
    }

    /** A zero-filled tensor that the garbage collector frees. */
    public static Tensor zeros(int... shape) {
        return allocate(Arena.ofAuto(), shape);
    }

    /** Views an existing segment as a tensor of {@code shape}. */
    public static Tensor wrap(MemorySegment data, int... shape) {
        return new Tensor(data, shape);
    }

    /** Copies rectangular rows into a new [rows, cols] tensor; ragged rows are refused. */
    public static Tensor of(float[][] rows) {
        if (rows.length == 0) {
            throw new IllegalArgumentException("cannot make a tensor of 0 rows: its width is unknown");
        }
        int cols = rows[0].length;
        Tensor t = zeros(rows.length, cols);
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != cols) {
                throw new IllegalArgumentException("row " + i + " has " + rows[i].length
                        + " values but row 0 has " + cols + ": rows must all have the same width");
            }
            MemorySegment.copy(rows[i], 0, t.data, ValueLayout.JAVA_FLOAT, (long) i * cols * Float.BYTES, cols);
        }
        return t;
    }

    /** Copies a flat array into a new tensor of {@code shape}. */
    public static Tensor of(float[] values, int... shape) {
        if (values.length != elementCount(shape)) {
            throw new IllegalArgumentException(values.length + " values do not fill shape " + Arrays.toString(shape)
                    + " (" + elementCount(shape) + " elements)");
        }
        Tensor t = zeros(shape);
        MemorySegment.copy(values, 0, t.data, ValueLayout.JAVA_FLOAT, 0, values.length);
        return t;
    }

    /**
     * Reads a NumPy {@code .npy} file (format 1.0, 2.0 or 3.0) of dtype {@code <f4}, {@code <f8},
     * {@code <i4}, {@code <i8} or {@code |u1}, converting the elements to float32; any rank, C or Fortran
     * order (Fortran arrays are reordered, so index i, j means the same element as in NumPy).
     *
     * <pre>{@code
     * // python: np.save("x.npy", np.random.rand(100, 4).astype(np.float32))
     * Tensor x = Tensor.fromNpy(Path.of("x.npy"));   // shape [100, 4]
     * }</pre>
     *
     * @throws NpyFormatException if the file is not a valid .npy file or holds a type Kiln cannot read;
     *         the header, dtype and sizes are checked before anything is allocated
     * @throws IOException if the file cannot be read
     */
    public static Tensor fromNpy(Path file) throws IOException {
        return NpyFormat.read(Objects.requireNonNull(file, "file"));
    }

    /**
     * Writes this tensor as a NumPy {@code .npy} file (format 1.0, dtype {@code <f4}, C order) that
     * {@code np.load} reads. The file is written beside {@code file} and moved over it atomically.
     *
     * <pre>{@code
     * Tensor.of(model.predict(x)).toNpy(Path.of("predictions.npy"));   // python: np.load(...)
     * }</pre>
     */
    public void toNpy(Path file) throws IOException {
        NpyFormat.write(this, Objects.requireNonNull(file, "file"));
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The size of the first axis. */
    public int rows() {
        return shape.length == 0 ? 1 : shape[0];
    }

    /** The number of elements per row: the product of every axis but the first. */
    public int rowWidth() {
        long w = 1;
        for (int i = 1; i < shape.length; i++) {
            w *= shape[i];
        }
        return Math.toIntExact(w);
    }

    public long size() {
        return size;
    }

    public MemorySegment segment() {
        return data;
    }

    public float get(long index) {
        return data.getAtIndex(ValueLayout.JAVA_FLOAT, Objects.checkIndex(index, size));
    }

    public float get(int row, int col) {
        return get(rowMajorIndex(row, col));
    }

    public void set(long index, float value) {
        data.setAtIndex(ValueLayout.JAVA_FLOAT, Objects.checkIndex(index, size), value);
    }

    public void set(int row, int col, float value) {
        set(rowMajorIndex(row, col), value);
    }

    /** Overwrites every element from {@code values}, which must have exactly {@link #size()} entries. */
    public void copyFrom(float[] values) {
        if (values.length != size) {
            throw new IllegalArgumentException("expected " + size + " values for shape " + Arrays.toString(shape)
                    + " but got " + values.length);
        }
        MemorySegment.copy(values, 0, data, ValueLayout.JAVA_FLOAT, 0, values.length);
    }

    /** The elements as a new heap array. */
    public float[] toArray() {
        float[] out = new float[Math.toIntExact(size)];
        MemorySegment.copy(data, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    /** The tensor as heap rows of {@link #rowWidth()} values each. */
    public float[][] toRows() {
        int width = rowWidth();
        float[][] out = new float[rows()][width];
        for (int i = 0; i < out.length; i++) {
            MemorySegment.copy(data, ValueLayout.JAVA_FLOAT, (long) i * width * Float.BYTES, out[i], 0, width);
        }
        return out;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape);
    }

    private long rowMajorIndex(int row, int col) {
        if (shape.length != 2) {
            throw new IllegalStateException("(row, col) indexing needs a rank-2 tensor, this one has shape "
                    + Arrays.toString(shape));
        }
        Objects.checkIndex(row, shape[0]);
        Objects.checkIndex(col, shape[1]);
        return (long) row * shape[1] + col;
    }

    private static long elementCount(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }
}
