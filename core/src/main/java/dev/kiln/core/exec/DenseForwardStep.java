package dev.kiln.core.exec;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.Gemm;
import java.lang.foreign.MemorySegment;

/** y = act(x·W + b) for the batch, rows split across the pool; the epilogue is fused into the GEMM. */
public final class DenseForwardStep implements Step, ParallelBody {
    private final MemorySegment x;
    private final MemorySegment w;
    private final MemorySegment bias;
    private final MemorySegment preActivation;
    private final MemorySegment y;
    private final int k;
    private final int n;
    private final Activation activation;
    private final KernelPool pool;
    private int rows;

    /** {@code bias} and {@code preActivation} may be null; {@code x} is [rows×k], W [k×n], y [rows×n]. */
    public DenseForwardStep(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment preActivation,
            MemorySegment y, int k, int n, Activation activation, KernelPool pool) {
        this.x = x;
        this.w = w;
        this.bias = bias;
        this.preActivation = preActivation;
        this.y = y;
        this.k = k;
        this.n = n;
        this.activation = activation;
        this.pool = pool;
    }

    @Override
    public void run(int rows) {
        this.rows = rows;
        pool.run(this, Parallelism.partsFor((long) rows * k * n, rows, pool));
    }

    @Override
    public void run(int part, int parts) {
        Gemm.matmulBiasActivation(x, w, bias, preActivation, y, k, n, activation,
                ParallelBody.start(rows, part, parts), ParallelBody.start(rows, part + 1, parts));
    }
}
