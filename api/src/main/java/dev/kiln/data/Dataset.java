package dev.kiln.data;

import dev.kiln.core.memory.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Objects;

/**
 * Batches of (x, y) rows for {@code fit}, {@code evaluate} and {@code predict}, streamed from arrays, a
 * memory-mapped {@code .npy} pair, IDX files, a CSV file or a generator of one's own, so that data larger
 * than the Java heap trains as data that fits. A dataset is an immutable recipe: {@link #batch},
 * {@link #shuffle} and {@link #prefetch} return a new one, and each pass ({@link #open}) reads the source
 * from its start.
 *
 * <pre>{@code
 * Dataset train = Dataset.fromNpy(Path.of("x.npy"), Path.of("y.npy"))   // memory-mapped
 *         .shuffle(10_000, 42)                                            // bounded buffer, seeded
 *         .batch(128);
 * model.fit(train, epochs(5), validationData(Dataset.fromNpy(xVal, yVal)));
 * float[][] p = model.predict(Dataset.fromNpy(Path.of("x_test.npy")));
 * }</pre>
 *
 * <p>As in Keras with a {@code tf.data.Dataset}: the dataset fixes the batch size (32 unless
 * {@link #batch} says otherwise; a generator's batches as it yields them), so {@code fit} takes no
 * {@code batchSize}, {@code validationSplit} or {@code shuffle}; {@code stepsPerEpoch(n)} makes an epoch
 * n batches of one continuing pass (needed for an endless generator). Shuffling draws from a buffer of
 * the next {@code bufferSize} rows, reshuffled every epoch from the seed and the epoch number, so the
 * same seed gives the same order; with a buffer as large as the data it is a full shuffle. By default a
 * background thread reads the next batches while the model trains on this one ({@link DatasetPass}).
 */
public final class Dataset {
    /** Keras' default batch size. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    private final RowSource source;
    /** Rows per batch; 0 for a generator's own batches. */
    private final int batchSize;
    private final int shuffleBuffer;
    private final long shuffleSeed;
    private final boolean prefetch;

    private Dataset(RowSource source, int batchSize, int shuffleBuffer, long shuffleSeed, boolean prefetch) {
        this.source = source;
        this.batchSize = batchSize;
        this.shuffleBuffer = shuffleBuffer;
        this.shuffleSeed = shuffleSeed;
        this.prefetch = prefetch;
    }

    private static Dataset rows(RowSource source) {
        return new Dataset(source, source.batched() ? 0 : DEFAULT_BATCH_SIZE, 0, 0, true);
    }

    // ---- in memory ----------------------------------------------------------------------------

    /** Rows of {@code x} with class indices {@code y}. The arrays are read, not copied: do not change them meanwhile. */
    public static Dataset of(float[][] x, int[] y) {
        return rows(new ArrayRows(x, Objects.requireNonNull(y, "y")));
    }

    /** Rows of {@code x} with target rows {@code y} (one-hot, probabilities or values). */
    public static Dataset of(float[][] x, float[][] y) {
        return rows(new ArrayRows(x, Objects.requireNonNull(y, "y")));
    }

    public static Dataset of(Tensor x, int[] y) {
        return rows(new ArrayRows(x, Objects.requireNonNull(y, "y")));
    }

    public static Dataset of(Tensor x, Tensor y) {
        return rows(new ArrayRows(x, Objects.requireNonNull(y, "y")));
    }

    /** Rows of {@code x} alone, for {@code predict}. */
    public static Dataset of(float[][] x) {
        return rows(new ArrayRows(x, null));
    }

    public static Dataset of(Tensor x) {
        return rows(new ArrayRows(x, null));
    }

    // ---- files --------------------------------------------------------------------------------

    /**
     * Rows of the {@code .npy} file {@code x} (shape [rows, ...], each row flattened) with targets from
     * {@code y} (shape [rows] of class indices or values, or [rows, k]), memory-mapped: only the rows being
     * batched need to be in memory. float32, float64, int32, int64 and uint8 are read as float32.
     *
     * @throws dev.kiln.core.memory.NpyFormatException when a file is not a valid C-ordered .npy file
     * @throws IllegalArgumentException when the row counts differ or x is empty
     */
    public static Dataset fromNpy(Path x, Path y) throws IOException {
        return rows(new NpyRows(Objects.requireNonNull(x, "x"), Objects.requireNonNull(y, "y")));
    }

    /** Rows of the {@code .npy} file {@code x} alone, for {@code predict}. */
    public static Dataset fromNpy(Path x) throws IOException {
        return rows(new NpyRows(Objects.requireNonNull(x, "x"), null));
    }

    /**
     * Images of an IDX file with the labels of its pair (MNIST's and Fashion-MNIST's format), gzip or
     * not, streamed image by image; pixels scaled to [0, 1].
     *
     * @throws IdxFormatException when a header is damaged or the two files hold different counts
     */
    public static Dataset fromIdx(Path images, Path labels) throws IOException {
        return rows(new IdxRows(Objects.requireNonNull(images, "images"), Objects.requireNonNull(labels, "labels")));
    }

    /**
     * Rows of a numeric CSV file, parsed line by line as batches are needed; the options are
     * {@link CsvReader}'s (label column, header, delimiter). Every field must be a number: class names
     * need the whole file seen first, which {@link CsvReader#read} does.
     *
     * @throws CsvFormatException when the file has no data row, or its layout does not fit the options
     */
    public static Dataset fromCsv(Path file, CsvOption... options) throws IOException {
        return rows(new CsvRows(Objects.requireNonNull(file, "file"), options));
    }

    // ---- generators ---------------------------------------------------------------------------

    /**
     * The batches of a generator of one's own, kept as it yields them unless {@link #batch} re-batches
     * their rows. Each pass (each epoch) calls {@code batches.iterator()} afresh. Without a known length,
     * the progress bar shows the steps as {@code n/Unknown} until the first epoch ends, as Keras does.
     *
     * <pre>{@code
     * Dataset data = Dataset.fromBatches(() -> new Iterator<Batch>() {
     *     int i;
     *     public boolean hasNext() { return i < 100; }
     *     public Batch next() { i++; return Batch.of(randomRows(64), randomLabels(64)); }
     * });
     * }</pre>
     */
    public static Dataset fromBatches(Iterable<Batch> batches) {
        Objects.requireNonNull(batches, "batches");
        return rows(new GeneratorRows(batches::iterator, false));
    }

    /**
     * The batches of a one-time iterator (possibly endless): one pass only, so several epochs need
     * {@code fit(..., stepsPerEpoch(n))}, which makes them share the pass.
     */
    public static Dataset fromIterator(Iterator<Batch> batches) {
        Objects.requireNonNull(batches, "batches");
        return rows(new GeneratorRows(() -> batches, true));
    }

    // ---- transformations ------------------------------------------------------------------------

    /** The same rows in batches of {@code size} (the last of a pass may be smaller). */
    public Dataset batch(int size) {
        if (size <= 0) {
            throw new IllegalArgumentException("batch size must be a positive number of rows, got " + size);
        }
        return new Dataset(source, size, shuffleBuffer, shuffleSeed, prefetch);
    }

    /**
     * Rows shuffled through a buffer of {@code bufferSize} rows, drawn with a generator seeded from
     * {@code seed} and the pass's epoch: every epoch gets another order, and the same seed the same orders.
     * {@code bufferSize} rows of x and y are held in memory.
     */
    public Dataset shuffle(int bufferSize, long seed) {
        if (bufferSize <= 0) {
            throw new IllegalArgumentException("shuffle buffer size must be a positive number of rows, got "
                    + bufferSize);
        }
        return new Dataset(source, batchSize, bufferSize, seed, prefetch);
    }

    /** Whether a background thread reads the next batches while this one is used (default true). */
    public Dataset prefetch(boolean on) {
        return new Dataset(source, batchSize, shuffleBuffer, shuffleSeed, on);
    }

    // ---- reading ------------------------------------------------------------------------------

    /** Rows in one pass, or -1 when they are counted only by reading (a CSV file, a generator). */
    public long rows() {
        return source.rows();
    }

    /** Rows per batch; 0 when a generator's batches are kept as they come. */
    public int batchSize() {
        return batchSize;
    }

    /** Batches in one pass, or -1 when unknown before it ends. */
    public int steps() {
        long rows = source.rows();
        if (rows < 0 || batchSize == 0) {
            return -1;
        }
        return (int) Math.min(Integer.MAX_VALUE, (rows + batchSize - 1) / batchSize);
    }

    /** A pass from the first row, shuffled (when asked) as epoch 0. */
    public DatasetPass open() throws IOException {
        return open(0);
    }

    /**
     * A pass from the first row, shuffled (when asked) in epoch {@code epoch}'s order. Close it when done.
     *
     * @throws IllegalStateException when a generator's rows are to be shuffled without a batch size, or a
     *         one-time iterator was used up
     */
    public DatasetPass open(int epoch) throws IOException {
        if (shuffleBuffer > 0 && batchSize == 0) {
            throw new IllegalStateException("shuffling the rows of a generator's batches needs a batch size to"
                    + " re-batch them: add .batch(n)");
        }
        RowCursor cursor = source.open();
        try {
            if (shuffleBuffer > 0) {
                cursor = new ShuffledRows(cursor, shuffleBuffer, epochSeed(shuffleSeed, epoch));
            }
            return new DatasetPass(cursor, batchSize == 0 ? Integer.MAX_VALUE : batchSize, batchSize == 0, prefetch);
        } catch (RuntimeException e) {
            cursor.close();
            throw e;
        }
    }

    /** SplitMix64 of the seed and the epoch: neighbouring epochs get unrelated orders. */
    private static long epochSeed(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public String toString() {
        return "Dataset[rows=" + (rows() < 0 ? "unknown" : rows()) + ", batch="
                + (batchSize == 0 ? "as generated" : batchSize) + (shuffleBuffer > 0 ? ", shuffle=" + shuffleBuffer : "")
                + (prefetch ? ", prefetch" : "") + "]";
    }
}
