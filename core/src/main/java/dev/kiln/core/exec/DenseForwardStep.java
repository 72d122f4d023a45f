package dev.kiln.core.exec;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.PackedGemm;
import java.lang.foreign.MemorySegment;

/**
 * y = act(x·W + b) for the batch; the epilogue is fused into the GEMM.
 *
 * <p>Split across the pool by column panels of y, not by rows: each part packs only the panels of W
 * it multiplies, so no part waits for another's packing and W is packed once per step in all. A
 * narrow layer (one panel, such as a 10-class output) runs on the calling thread alone.
 */
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
    private final float[] packedW;
    private final int panels;
    private int rows;

    /** {@code bias} and {@code preActivation} may be null; {@code x} is [rows×k], W [k×n], y [rows×n]. */
    public DenseForwardStep(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment preActivation,
            MemorySegment y, int k, int n, Activation activation, KernelPool pool) {
        if (!activation.isElementwise()) {
            throw new IllegalArgumentException("activation " + activation
                    + " cannot be fused into a dense step; expected an elementwise one (all but SOFTMAX)");
        }
        this.x = x;
        this.w = w;
        this.bias = bias;
        this.preActivation = preActivation;
        this.y = y;
        this.k = k;
        this.n = n;
        this.activation = activation;
        this.pool = pool;
        this.packedW = new float[PackedGemm.packedFloats(k, n)];
        this.panels = PackedGemm.panels(n);
    }

    @Override
    public void run(int rows) {
        this.rows = rows;
        pool.run(this, Parallelism.partsFor((long) rows * k * n, panels, pool));
    }

    @Override
    public void run(int part, int parts) {
        int to = ParallelBody.start(panels, part + 1, parts);
        for (int p = ParallelBody.start(panels, part, parts); p < to; p++) {
            PackedGemm.packRows(w, k, n, p, packedW);
            PackedGemm.multiply(x, k, 1, rows, k, n, packedW, p, bias, preActivation, y, activation);
        }
    }
}
