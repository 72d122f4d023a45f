package dev.kiln.core.exec;

/**
 * A step whose kernel works on any range of batch rows; the rows are split across the pool when the
 * batch carries enough work to pay for it.
 */
public final class RowRangeStep implements Step, ParallelBody {
    /** A kernel over rows [from, to). */
    @FunctionalInterface
    public interface RowKernel {
        void run(int from, int to);
    }

    private final RowKernel kernel;
    private final long workPerRow;
    private final KernelPool pool;
    private int rows;

    /** {@code workPerRow} is a rough count of floating-point operations per row, to size the split. */
    public RowRangeStep(RowKernel kernel, long workPerRow, KernelPool pool) {
        this.kernel = kernel;
        this.workPerRow = workPerRow;
        this.pool = pool;
    }

    @Override
    public void run(int rows) {
        this.rows = rows;
        pool.run(this, Parallelism.partsFor(rows * workPerRow, rows, pool));
    }

    @Override
    public void run(int part, int parts) {
        kernel.run(ParallelBody.start(rows, part, parts), ParallelBody.start(rows, part + 1, parts));
    }
}
