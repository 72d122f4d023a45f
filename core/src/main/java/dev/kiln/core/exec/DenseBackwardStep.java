package dev.kiln.core.exec;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.ActivationKernels;
import dev.kiln.core.kernel.Gemm;
import java.lang.foreign.MemorySegment;

/**
 * Backward of y = act(x·W + b): dZ = dY ⊙ act'(z) in place, then dW = xᵀ·dZ, db = Σ dZ and dX = dZ·Wᵀ
 * (from a transposed copy of W made in the first dispatch).
 *
 * <p>Two dispatches: the activation derivative must be complete before any product reads dZ. In the
 * second every part owns a slice of dW's rows, of db's columns and of dX's rows, so every gradient
 * element is summed by exactly one thread in a fixed order, whatever the thread count.
 */
public final class DenseBackwardStep implements Step {
    private final MemorySegment x;
    private final MemorySegment w;
    private final MemorySegment preActivation;
    private final MemorySegment y;
    private final MemorySegment dy;
    private final MemorySegment dw;
    private final MemorySegment db;
    private final MemorySegment dx;
    private final MemorySegment wTransposed;
    private final int k;
    private final int n;
    private final Activation activation;
    private final KernelPool pool;
    private final ParallelBody derivative = this::activationDerivative;
    private final ParallelBody products = this::products;
    private int rows;

    /**
     * {@code db}, {@code dx} and {@code preActivation} may be null (no bias, no input gradient needed,
     * derivative computable from y); {@code dy} is overwritten with dZ.
     */
    public DenseBackwardStep(MemorySegment x, MemorySegment w, MemorySegment preActivation, MemorySegment y,
            MemorySegment dy, MemorySegment dw, MemorySegment db, MemorySegment dx, MemorySegment wTransposed,
            int k, int n, Activation activation, KernelPool pool) {
        if (dx != null && wTransposed == null) {
            throw new IllegalArgumentException("an input gradient needs a buffer for the transposed kernel");
        }
        this.x = x;
        this.w = w;
        this.preActivation = preActivation;
        this.y = y;
        this.dy = dy;
        this.dw = dw;
        this.db = db;
        this.dx = dx;
        this.wTransposed = wTransposed;
        this.k = k;
        this.n = n;
        this.activation = activation;
        this.pool = pool;
    }

    @Override
    public void run(int rows) {
        this.rows = rows;
        if (activation != Activation.LINEAR || dx != null) {
            long work = (long) rows * n * 4 + (dx == null ? 0 : (long) k * n);
            pool.run(derivative, Parallelism.partsFor(work, Math.max(rows, k), pool));
        }
        long work = (long) rows * k * n * (dx == null ? 1 : 2);
        pool.run(products, Parallelism.partsFor(work, Math.max(k, rows), pool));
    }

    /** First dispatch: dZ in place, and Wᵀ for dX (both must be whole before the products start). */
    private void activationDerivative(int part, int parts) {
        if (activation != Activation.LINEAR) {
            long from = (long) ParallelBody.start(rows, part, parts) * n;
            long to = (long) ParallelBody.start(rows, part + 1, parts) * n;
            ActivationKernels.backward(activation, preActivation, y, dy, dy, from, to);
        }
        if (dx != null) {
            Gemm.transpose(w, wTransposed, k, n, ParallelBody.start(k, part, parts), ParallelBody.start(k, part + 1, parts));
        }
    }

    private void products(int part, int parts) {
        Gemm.transposeAMatmul(x, dy, dw, rows, k, n,
                ParallelBody.start(k, part, parts), ParallelBody.start(k, part + 1, parts));
        if (db != null) {
            Gemm.columnSums(dy, db, rows, n,
                    ParallelBody.start(n, part, parts), ParallelBody.start(n, part + 1, parts));
        }
        if (dx != null) {
            Gemm.matmulTransposeB(dy, wTransposed, dx, k, n,
                    ParallelBody.start(rows, part, parts), ParallelBody.start(rows, part + 1, parts));
        }
    }
}
