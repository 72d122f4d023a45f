package dev.kiln.core.exec;

import dev.kiln.core.kernel.FiniteScan;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Finds the first row of a float[][] holding a NaN or an infinity, the rows split across the pool.
 *
 * <p>Why in parallel: every {@code fit}, {@code evaluate} and {@code predict} checks its whole input
 * before it starts (bad input must leave the model unchanged), and on one thread that scan took about
 * a sixteenth of a 10,000-row {@code predict}. The answer is the same for any split: the smallest bad
 * row index that any part found.
 *
 * <pre>{@code
 * int bad = FiniteRows.firstNonFinite(x, KernelPool.global());   // -1 when every value is finite
 * }</pre>
 */
public final class FiniteRows {
    /** Work units per scanned float for {@link Parallelism#partsFor}: a part is worth it from 64 KiB. */
    private static final long WORK_PER_FLOAT = 2;

    private FiniteRows() {
    }

    /** The index of the first row with a NaN or ±∞, or −1 when there is none; rows may differ in length. */
    public static int firstNonFinite(float[][] rows, KernelPool pool) {
        long floats = 0;
        for (float[] row : rows) {
            floats += row.length;
        }
        AtomicInteger first = new AtomicInteger(Integer.MAX_VALUE);
        int parts = Parallelism.partsFor(floats * WORK_PER_FLOAT, Math.max(1, rows.length), pool);
        pool.run((part, n) -> {
            int end = ParallelBody.start(rows.length, part + 1, n);
            for (int r = ParallelBody.start(rows.length, part, n); r < end; r++) {
                if (!FiniteScan.allFinite(rows[r])) {
                    first.accumulateAndGet(r, Math::min);
                    return; // later rows of this part cannot be smaller
                }
            }
        }, parts);
        int found = first.get();
        return found == Integer.MAX_VALUE ? -1 : found;
    }
}
