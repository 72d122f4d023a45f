package dev.kiln.core.exec;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;

/**
 * Gathers rows of a data set (float[][] rows, or one row-major segment) into a batch buffer, split
 * across the pool.
 *
 * <p>Why in parallel: the training rows are picked in shuffled order from a data set far larger than
 * the caches, so the copy waits on memory (about an eighth of a batch-32 step when one thread did it
 * while the others spun). Each thread fetches its own run of rows, and the rows then sit in the caches
 * of the threads that read them next. Each batch row is copied by exactly one part, so the result does
 * not depend on the split. One object per graph, re-aimed at each call, so gathering allocates nothing.
 *
 * <pre>{@code
 * RowGather gather = new RowGather(KernelPool.global());
 * gather.rows(x, batchBuffer, 784, order, 0, 128);   // batch row r = x[order[r]]
 * }</pre>
 */
public final class RowGather implements ParallelBody {
    /** Work units per copied float for {@link Parallelism#partsFor}: a part is worth it from 32 KiB. */
    private static final long WORK_PER_FLOAT = 4;
    /** Never started: only asked whether a segment may be read from a thread other than its owner. */
    private static final Thread ANOTHER_THREAD = Thread.ofPlatform().unstarted(() -> { });

    private final KernelPool pool;
    private float[][] rows;
    private MemorySegment source;
    private MemorySegment destination;
    private int width;
    private int[] order;
    private int from;
    private int count;

    public RowGather(KernelPool pool) {
        this.pool = pool;
    }

    /** destination row r = src[order[from + r]] (or src[from + r] when order is null) for r in [0, count). */
    public void rows(float[][] src, MemorySegment destination, int width, int[] order, int from, int count) {
        aim(src, null, destination, width, order, from, count);
    }

    /** As {@link #rows(float[][], MemorySegment, int, int[], int, int)} from a row-major segment of rows. */
    public void rows(MemorySegment src, MemorySegment destination, int width, int[] order, int from, int count) {
        aim(null, src, destination, width, order, from, count);
    }

    private void aim(float[][] rowArrays, MemorySegment rowSegment, MemorySegment destination, int width, int[] order,
            int from, int count) {
        this.rows = rowArrays;
        this.source = rowSegment;
        this.destination = destination;
        this.width = width;
        this.order = order;
        this.from = from;
        this.count = count;
        // A segment of a confined arena (Tensor.wrap or allocate with one) may be read by its owner only.
        boolean sharable = rowSegment == null || rowSegment.isAccessibleBy(ANOTHER_THREAD);
        try {
            pool.run(this, sharable ? Parallelism.partsFor((long) count * width * WORK_PER_FLOAT, count, pool) : 1);
        } finally {
            this.rows = null; // do not keep the caller's data set reachable
            this.source = null;
            this.order = null;
        }
    }

    @Override
    public void run(int part, int parts) {
        int first = ParallelBody.start(count, part, parts);
        int end = ParallelBody.start(count, part + 1, parts);
        long rowBytes = (long) width * Float.BYTES;
        if (order == null && source != null) { // evaluate and predict: consecutive rows are one block
            MemorySegment.copy(source, (from + first) * rowBytes, destination, first * rowBytes,
                    (end - first) * rowBytes);
            return;
        }
        for (int r = first; r < end; r++) {
            int row = order == null ? from + r : order[from + r];
            if (rows != null) {
                MemorySegment.copy(rows[row], 0, destination, JAVA_FLOAT, r * rowBytes, width);
            } else {
                MemorySegment.copy(source, row * rowBytes, destination, r * rowBytes, rowBytes);
            }
        }
    }
}
