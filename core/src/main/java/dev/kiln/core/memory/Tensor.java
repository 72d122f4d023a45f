package dev.kiln.core.memory;

import java.io.IOException;
import java.io.UncheckedIOException;
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
    /**
     * The most elements {@link #toArray()} returns and the most rows or row values {@link #toRows()} makes:
     * the longest array every JVM allocates (the JDK's own collections stop here too).
     */
    public static final int MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

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
     * @throws UncheckedIOException if the file cannot be read, with the {@link IOException} as its cause:
     *         a {@link NpyFormatException} when the file is not a valid .npy file or holds a type Kiln cannot
     *         read (the header, dtype and sizes are checked before anything is allocated)
     */
    public static Tensor fromNpy(Path file) {
        try {
            return NpyFormat.read(Objects.requireNonNull(file, "file"));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    /**
     * Writes this tensor as a NumPy {@code .npy} file (format 1.0, dtype {@code <f4}, C order) that
     * {@code np.load} reads. The file is written beside {@code file} and moved over it atomically.
     *
     * <pre>{@code
     * Tensor.of(model.predict(x)).toNpy(Path.of("predictions.npy"));   // python: np.load(...)
     * }</pre>
     *
     * @throws UncheckedIOException if the file cannot be written, with the {@link IOException} as its cause
     */
    public void toNpy(Path file) {
        try {
            NpyFormat.write(this, Objects.requireNonNull(file, "file"));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
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

    /**
     * The number of elements per row: the product of every axis but the first.
     *
     * @throws IllegalStateException if that product is more than an int holds (possible when the first axis
     *         is 0, or for a tensor of more than 2<sup>31</sup> elements)
     */
    public int rowWidth() {
        long width = product(shape, 1);
        if (width > Integer.MAX_VALUE) {
            throw new IllegalStateException(this + " has rows of shape " + rowShape() + ", more than "
                    + Integer.MAX_VALUE + " values; rowWidth() counts them in an int");
        }
        return (int) width;
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

    /**
     * The elements as a new heap array.
     *
     * @throws IllegalStateException if there are more than {@link #MAX_ARRAY_LENGTH} elements
     */
    public float[] toArray() {
        if (size > MAX_ARRAY_LENGTH) {
            throw new IllegalStateException("cannot copy " + this + " into one float[]: its " + size
                    + " elements are more than " + MAX_ARRAY_LENGTH + ", the most a Java array holds");
        }
        float[] out = new float[(int) size];
        MemorySegment.copy(data, ValueLayout.JAVA_FLOAT, 0, out, 0, out.length);
        return out;
    }

    /**
     * The tensor as heap rows of {@link #rowWidth()} values each.
     *
     * @throws IllegalStateException if there are more than {@link #MAX_ARRAY_LENGTH} rows or values per row
     */
    public float[][] toRows() {
        if (rows() > MAX_ARRAY_LENGTH || product(shape, 1) > MAX_ARRAY_LENGTH) {
            throw new IllegalStateException("cannot turn " + this + " into float[][]: it has " + rows()
                    + " rows of shape " + rowShape() + ", and a Java array holds at most " + MAX_ARRAY_LENGTH
                    + " rows or values per row");
        }
        int width = (int) product(shape, 1);
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

    private String rowShape() {
        return Arrays.toString(Arrays.copyOfRange(shape, Math.min(1, shape.length), shape.length));
    }

    private static long elementCount(int[] shape) {
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d + " in shape " + Arrays.toString(shape));
            }
        }
        long n = product(shape, 0);
        if (n == Long.MAX_VALUE) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has more elements than a long"
                    + " counts (" + Long.MAX_VALUE + ")");
        }
        return n;
    }

    /**
     * The product of {@code shape[from..]}, or {@link Long#MAX_VALUE} when it does not fit a long. A zero axis
     * makes it 0 however large the others are: a (2<sup>31</sup>−1, 2<sup>31</sup>−1, 0) tensor is empty.
     */
    private static long product(int[] shape, int from) {
        long n = 1;
        boolean overflow = false;
        for (int i = from; i < shape.length; i++) {
            if (shape[i] == 0) {
                return 0;
            }
            if (n > Long.MAX_VALUE / shape[i]) {
                overflow = true;
            } else {
                n *= shape[i];
            }
        }
        return overflow ? Long.MAX_VALUE : n;
    }
}
