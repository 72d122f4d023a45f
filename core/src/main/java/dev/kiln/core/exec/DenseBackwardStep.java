package dev.kiln.core.exec;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.ActivationKernels;
import dev.kiln.core.kernel.PackedGemm;
import java.lang.foreign.MemorySegment;

/**
 * Backward of y = act(x·W + b): dZ = dY ⊙ act'(z) in place, then dW = xᵀ·dZ, db = Σ dZ and dX = dZ·Wᵀ.
 *
 * <p>Two dispatches: the activation derivative must be complete before any product reads dZ (a linear
 * layer skips the first). The second splits a list of column panels across the pool: the panels of dW
 * (each packs its slice of dZ and sums its columns into db while packing) and the panels of dX (each
 * packs its slice of Wᵀ straight from W). Every gradient element is summed by exactly one part in a
 * fixed order, so results are bit-identical for any thread count.
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
    private final int k;
    private final int n;
    private final Activation activation;
    private final KernelPool pool;
    private final float[] packedDz;
    private final float[] packedWt;
    private final int weightPanels;
    private final int inputPanels;
    private final ParallelBody derivative = this::activationDerivative;
    private final ParallelBody products = this::products;
    private int rows;

    /**
     * {@code db}, {@code dx} and {@code preActivation} may be null (no bias, no input gradient needed,
     * derivative computable from y); {@code dy} is overwritten with dZ. {@code unusedScratch} is ignored
     * (dX no longer needs a transposed copy of W) and may be null.
     */
    public DenseBackwardStep(MemorySegment x, MemorySegment w, MemorySegment preActivation, MemorySegment y,
            MemorySegment dy, MemorySegment dw, MemorySegment db, MemorySegment dx, MemorySegment unusedScratch,
            int k, int n, Activation activation, KernelPool pool) {
        this.x = x;
        this.w = w;
        this.preActivation = preActivation;
        this.y = y;
        this.dy = dy;
        this.dw = dw;
        this.db = db;
        this.dx = dx;
        this.k = k;
        this.n = n;
        this.activation = activation;
        this.pool = pool;
        int capacity = k == 0 ? 0 : (int) (x.byteSize() / ((long) k * Float.BYTES));
        this.packedDz = new float[PackedGemm.packedFloats(capacity, n)];
        this.packedWt = dx == null ? null : new float[PackedGemm.packedFloats(n, k)];
        this.weightPanels = PackedGemm.panels(n);
        this.inputPanels = dx == null ? 0 : PackedGemm.panels(k);
    }

    @Override
    public void run(int rows) {
        this.rows = rows;
        if (activation != Activation.LINEAR) {
            pool.run(derivative, Parallelism.partsFor((long) rows * n * 4, rows, pool));
        }
        long work = (long) rows * k * n * (dx == null ? 1 : 2);
        pool.run(products, Parallelism.partsFor(work, weightPanels + inputPanels, pool));
    }

    /** First dispatch: dZ in place (it must be whole before the products start). */
    private void activationDerivative(int part, int parts) {
        long from = (long) ParallelBody.start(rows, part, parts) * n;
        long to = (long) ParallelBody.start(rows, part + 1, parts) * n;
        ActivationKernels.backward(activation, preActivation, y, dy, dy, from, to);
    }

    /**
     * Second dispatch: panel u (the dW panels first, then the dX panels) goes to the part whose share
     * of the total work holds the middle of u's work, so parts get near-equal work whatever the shapes.
     */
    private void products(int part, int parts) {
        long weightWork = (long) k * rows;
        long inputWork = (long) rows * n;
        long total = weightWork * weightPanels + inputWork * inputPanels;
        long before = 0;
        for (int u = 0; u < weightPanels + inputPanels; u++) {
            boolean weight = u < weightPanels;
            long work = weight ? weightWork : inputWork;
            if (owner(before + work / 2, total, parts) == part) {
                if (weight) {
                    weightPanel(u);
                } else {
                    inputPanel(u - weightPanels);
                }
            }
            before += work;
        }
    }

    private static int owner(long middle, long total, int parts) {
        return total == 0 ? 0 : (int) Math.min(parts - 1, middle * parts / total);
    }

    /** dW[:, panel] = xᵀ·dZ[:, panel], and db over the panel's columns while dZ is packed. */
    private void weightPanel(int panel) {
        PackedGemm.packRowsWithColumnSums(dy, rows, n, panel, packedDz, db);
        PackedGemm.multiply(x, 1, k, k, rows, n, packedDz, panel, null, null, dw, Activation.LINEAR);
    }

    /** dX[:, panel] = dZ·Wᵀ[:, panel], Wᵀ packed from W's rows. */
    private void inputPanel(int panel) {
        PackedGemm.packTransposed(w, n, k, panel, packedWt);
        PackedGemm.multiply(dy, n, 1, rows, n, k, packedWt, panel, null, null, dx, Activation.LINEAR);
    }
}
