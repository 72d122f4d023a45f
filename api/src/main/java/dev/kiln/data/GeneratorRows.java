package dev.kiln.data;

import java.util.Iterator;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Rows of the batches a user's generator yields, each batch ending where the generator ended it. Every
 * batch must have the widths of the first; a null batch, or a batch that changes shape, is refused with
 * its number.
 */
final class GeneratorRows implements RowSource {
    private final Supplier<Iterator<Batch>> passes;
    private final boolean oneShot;
    private final AtomicBoolean used = new AtomicBoolean();

    GeneratorRows(Supplier<Iterator<Batch>> passes, boolean oneShot) {
        this.passes = passes;
        this.oneShot = oneShot;
    }

    @Override
    public long rows() {
        return -1;
    }

    @Override
    public boolean batched() {
        return true;
    }

    @Override
    public RowCursor open() {
        if (oneShot && used.getAndSet(true)) {
            throw new IllegalStateException("this dataset's iterator was used up by an earlier pass; give"
                    + " Dataset.fromBatches an Iterable (a new iterator per epoch), or give fit stepsPerEpoch so that"
                    + " the epochs share one pass");
        }
        Iterator<Batch> batches = passes.get();
        if (batches == null) {
            throw new IllegalArgumentException("the generator's iterator() returned null");
        }
        if (!batches.hasNext()) {
            throw new IllegalArgumentException("the generator yielded no batch");
        }
        Batch first = take(batches, 0);
        int xWidth = first.x()[0] == null ? 0 : first.x()[0].length;
        int yWidth = first.y() == null || first.y()[0] == null ? 0 : first.y()[0].length;
        if (xWidth == 0) {
            throw new IllegalArgumentException("batch 0 of the generator has rows of no features");
        }
        return new RowCursor() {
            private Batch batch = check(first, 0);
            private int index;
            private int row;

            @Override
            public int xWidth() {
                return xWidth;
            }

            @Override
            public int yWidth() {
                return yWidth;
            }

            @Override
            public boolean next(float[] x, int xAt, float[] y, int yAt) {
                if (batch != null && row == batch.x().length) {
                    batch = batches.hasNext() ? check(take(batches, index + 1), index + 1) : null;
                    index++;
                    row = 0;
                }
                if (batch == null) {
                    return false;
                }
                System.arraycopy(batch.x()[row], 0, x, xAt, xWidth);
                if (yWidth > 0) {
                    System.arraycopy(batch.y()[row], 0, y, yAt, yWidth);
                }
                row++;
                return true;
            }

            @Override
            public boolean endsBatch() {
                return batch != null && row == batch.x().length;
            }

            private Batch check(Batch b, int number) {
                for (int r = 0; r < b.x().length; r++) {
                    if (b.x()[r] == null || b.x()[r].length != xWidth) {
                        throw new IllegalArgumentException("batch " + number + " of the generator has an x row " + r
                                + " of " + (b.x()[r] == null ? "no array" : b.x()[r].length + " values")
                                + " but batch 0 has rows of " + xWidth + ": every batch must have the same shape");
                    }
                }
                if ((b.y() == null) != (yWidth == 0)) {
                    throw new IllegalArgumentException("batch " + number + " of the generator "
                            + (b.y() == null ? "has no y but batch 0 has" : "has a y but batch 0 has none"));
                }
                for (int r = 0; yWidth > 0 && r < b.y().length; r++) {
                    if (b.y()[r] == null || b.y()[r].length != yWidth) {
                        throw new IllegalArgumentException("batch " + number + " of the generator has a y row " + r
                                + " of " + (b.y()[r] == null ? "no array" : b.y()[r].length + " values")
                                + " but batch 0 has targets of " + yWidth + ": every batch must have the same shape");
                    }
                }
                return b;
            }

            @Override
            public void close() {
            }
        };
    }

    private static Batch take(Iterator<Batch> batches, int number) {
        Batch b = batches.next();
        if (b == null) {
            throw new IllegalArgumentException("the generator returned null as batch " + number
                    + "; end the iteration with hasNext() = false instead");
        }
        return b;
    }
}
