package dev.kiln.data;

import java.io.Closeable;
import java.io.IOException;

/**
 * One pass over a source's rows, each read straight into a caller's arrays (a batch being filled, or a
 * slot of the shuffle buffer), so that streaming allocates nothing per row.
 */
interface RowCursor extends Closeable {
    /** Values per input row. */
    int xWidth();

    /** Values per target row; 0 when the source has no targets. */
    int yWidth();

    /**
     * Reads the next row into {@code x[xAt ..]} and {@code y[yAt ..]} (y untouched when {@link #yWidth()}
     * is 0).
     *
     * @return false, reading nothing, when the pass has no more rows
     */
    boolean next(float[] x, int xAt, float[] y, int yAt) throws IOException;

    /** True when the row just read was the last of one of the source's own batches (a generator's). */
    default boolean endsBatch() {
        return false;
    }
}
