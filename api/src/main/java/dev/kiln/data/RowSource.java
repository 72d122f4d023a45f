package dev.kiln.data;

import java.io.IOException;

/** Where a {@link Dataset}'s rows come from: arrays, a file, a generator. Opened once per pass. */
interface RowSource {
    /** Starts a pass from the first row. */
    RowCursor open() throws IOException;

    /** The number of rows a pass yields, or -1 when it is known only at its end. */
    long rows();

    /** True when the source yields its own batches (a generator), which a dataset keeps unless re-batched. */
    default boolean batched() {
        return false;
    }
}
