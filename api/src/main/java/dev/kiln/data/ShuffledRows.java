package dev.kiln.data;

import java.io.IOException;
import java.util.SplittableRandom;

/**
 * A bounded shuffle over a stream of rows, as tf.data's {@code shuffle(buffer_size)}: the buffer holds
 * the next {@code capacity} rows; each row handed out is drawn uniformly from it, and its slot refilled
 * with the stream's next row. A buffer as large as the data gives a uniform permutation; a smaller one
 * mixes rows within about that distance. The draws come from the seed alone, so a seed gives one order.
 */
final class ShuffledRows implements RowCursor {
    private final RowCursor in;
    private final int capacity;
    private final int xWidth;
    private final int yWidth;
    private final float[] xs;
    private final float[] ys;
    private final SplittableRandom random;
    private int size;
    private boolean filled;
    private boolean drained;

    ShuffledRows(RowCursor in, int capacity, long seed) {
        this.in = in;
        this.xWidth = in.xWidth();
        this.yWidth = in.yWidth();
        long values = (long) capacity * Math.max(xWidth, yWidth);
        if (values > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a shuffle buffer of " + capacity + " rows of " + xWidth
                    + " values needs " + values + " floats, more than one Java array holds; use a smaller buffer");
        }
        this.capacity = capacity;
        this.xs = new float[capacity * xWidth];
        this.ys = new float[capacity * yWidth];
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int xWidth() {
        return xWidth;
    }

    @Override
    public int yWidth() {
        return yWidth;
    }

    @Override
    public boolean next(float[] x, int xAt, float[] y, int yAt) throws IOException {
        if (!filled) {
            filled = true;
            while (size < capacity && in.next(xs, size * xWidth, ys, size * yWidth)) {
                size++;
            }
            drained = size < capacity;
        }
        if (size == 0) {
            return false;
        }
        int pick = random.nextInt(size);
        System.arraycopy(xs, pick * xWidth, x, xAt, xWidth);
        System.arraycopy(ys, pick * yWidth, y, yAt, yWidth);
        if (drained || !in.next(xs, pick * xWidth, ys, pick * yWidth)) {
            drained = true;
            size--;   // the last row moves into the slot just emptied
            System.arraycopy(xs, size * xWidth, xs, pick * xWidth, xWidth);
            System.arraycopy(ys, size * yWidth, ys, pick * yWidth, yWidth);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
