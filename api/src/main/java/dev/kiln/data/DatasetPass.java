package dev.kiln.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pass over a {@link Dataset}, batch by batch: {@link #next()} moves to the next batch, whose rows sit
 * row-major in {@link #x()} and {@link #y()} until the following {@code next()}. {@code fit}, {@code evaluate}
 * and {@code predict} use it; a training loop of one's own can too.
 *
 * <p>With prefetching (the default) a daemon thread, {@code kiln-prefetch-N}, reads the next batches
 * while the caller works on this one: at most two batches wait, in three reused buffers, so a pass
 * allocates nothing per batch once the buffers exist (beyond what a reader itself needs, e.g. a CSV
 * line). An exception of the reader (a damaged file, a bad batch from a generator) is thrown by the
 * {@code next()} that would have returned that batch, in the caller's thread: the reader's own exception
 * when unchecked, an {@link UncheckedIOException} around an {@link IOException}. {@link #close()} stops the
 * thread and closes the files; use the pass in a try-with-resources block.
 *
 * <pre>{@code
 * try (DatasetPass pass = dataset.open()) {
 *     while (pass.next()) {
 *         float[] x = pass.x();        // pass.rows() rows of pass.xWidth() values
 *     }
 * }
 * }</pre>
 */
public final class DatasetPass implements AutoCloseable {
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** One batch being used, one being read, one waiting. */
    private static final int SLOTS = 3;
    private static final Slot END = new Slot(0, 0, 0);
    private static final Duration STOP_WAIT = Duration.ofSeconds(5);

    private final RowCursor cursor;
    private final int batchSize;
    private final boolean ownBatches;
    private final int xWidth;
    private final int yWidth;
    private final BlockingQueue<Slot> free = new ArrayBlockingQueue<>(SLOTS);
    private final BlockingQueue<Slot> full = new ArrayBlockingQueue<>(SLOTS + 1);
    private final Thread reader;
    private volatile Throwable failure;
    private Slot current;
    private long filled;
    private boolean ended;
    private boolean closed;

    /** A batch's rows; its arrays grow only for a generator whose batches grow. */
    private static final class Slot {
        float[] x;
        float[] y;
        int rows;

        Slot(int capacity, int xWidth, int yWidth) {
            x = new float[capacity * xWidth];
            y = new float[capacity * yWidth];
        }
    }

    DatasetPass(RowCursor cursor, int batchSize, boolean ownBatches, boolean prefetch) {
        this.cursor = cursor;
        this.batchSize = batchSize;
        this.ownBatches = ownBatches;
        this.xWidth = cursor.xWidth();
        this.yWidth = cursor.yWidth();
        int capacity = ownBatches ? 1 : batchSize;
        if ((long) capacity * Math.max(xWidth, yWidth) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a batch of " + capacity + " rows of " + xWidth
                    + " values is more than one Java array holds; use a smaller batch");
        }
        for (int i = 0; i < (prefetch ? SLOTS : 1); i++) {
            free.add(new Slot(capacity, xWidth, yWidth));
        }
        if (prefetch) {
            reader = Thread.ofPlatform().daemon().name("kiln-prefetch-" + THREADS.incrementAndGet())
                    .unstarted(this::readAhead);
            reader.start();
        } else {
            reader = null;
        }
    }

    /** Values per input row. */
    public int xWidth() {
        return xWidth;
    }

    /** Values per target row; 0 when the dataset has no targets (a dataset for predict). */
    public int yWidth() {
        return yWidth;
    }

    /**
     * Moves to the next batch.
     *
     * @return false when the pass has no more batches
     * @throws IllegalStateException after {@link #close()}
     */
    public boolean next() {
        if (closed) {
            throw new IllegalStateException("this dataset pass is closed");
        }
        if (ended) {
            return false;
        }
        if (reader == null) {
            current = current == null ? free.remove() : current;
            try {
                fill(current);
            } catch (IOException e) {
                ended = true;
                throw new UncheckedIOException(e.getMessage(), e);
            } catch (RuntimeException | Error e) {
                ended = true;
                throw e;
            }
            ended = current.rows == 0;
            return !ended;
        }
        if (current != null) {
            free.add(current);
            current = null;
        }
        Slot slot;
        try {
            slot = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the next batch", e);
        }
        if (slot == END) {
            ended = true;
            Throwable t = failure;
            if (t instanceof IOException io) {
                throw new UncheckedIOException(io.getMessage(), io);
            } else if (t instanceof RuntimeException r) {
                throw r;
            } else if (t instanceof Error err) {
                throw err;
            }
            return false;
        }
        current = slot;
        return true;
    }

    /** Rows in the current batch. */
    public int rows() {
        return current == null ? 0 : current.rows;
    }

    /** The current batch's inputs, row after row: {@code rows() × xWidth()} values (the array may be longer). */
    public float[] x() {
        return current == null ? new float[0] : current.x;
    }

    /** The current batch's targets, row after row: {@code rows() × yWidth()} values (the array may be longer). */
    public float[] y() {
        return current == null ? new float[0] : current.y;
    }

    /** Stops the reading thread, if any, and closes the files; a second call does nothing. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        current = null;
        if (reader == null) {
            closeCursor();
            return;
        }
        reader.interrupt();
        try {
            reader.join(STOP_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The reading thread, or null without prefetching; for tests that check it stops. */
    Thread reader() {
        return reader;
    }

    private void readAhead() {
        try {
            while (true) {
                Slot slot = free.take();
                fill(slot);
                if (slot.rows == 0) {
                    break;
                }
                full.put(slot);
            }
        } catch (InterruptedException e) {
            return; // closed: nobody waits for more
        } catch (Throwable t) {
            failure = t;
        } finally {
            closeCursor();
            full.offer(END); // never blocks: there is room for every slot and the end
        }
    }

    private void fill(Slot slot) throws IOException {
        int rows = 0;
        while (rows < batchSize) {
            if (ownBatches) {
                grow(slot, rows + 1);
            }
            if (!cursor.next(slot.x, rows * xWidth, slot.y, rows * yWidth)) {
                break;
            }
            rows++;
            if (ownBatches && cursor.endsBatch()) {
                break;
            }
        }
        slot.rows = rows;
        if (rows > 0) {
            checkFinite(slot.x, rows * xWidth, xWidth, "input");
            checkFinite(slot.y, rows * yWidth, yWidth, "target");
            filled++;
        }
    }

    /** Makes room for {@code rows} rows in a slot that holds a generator's batch, doubling as needed. */
    private void grow(Slot slot, int rows) {
        int capacity = slot.x.length / xWidth;
        if (rows <= capacity) {
            return;
        }
        long wanted = Math.max(rows, 2L * capacity);
        if (wanted * Math.max(xWidth, yWidth) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("batch " + filled + " of the generator holds more rows of " + xWidth
                    + " values than one Java array holds");
        }
        slot.x = Arrays.copyOf(slot.x, (int) wanted * xWidth);
        slot.y = Arrays.copyOf(slot.y, (int) wanted * yWidth);
    }

    private void checkFinite(float[] values, int count, int width, String what) {
        for (int i = 0; i < count; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException("batch " + filled + " row " + i / width + " has " + what + " "
                        + i % width + " = " + values[i] + ": " + what + "s must be finite numbers");
            }
        }
    }

    private void closeCursor() {
        try {
            cursor.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
    }
}
