package dev.kiln.core.exec;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.ActivationKernels;
import dev.kiln.core.kernel.Conv2dKernels;
import dev.kiln.core.kernel.Conv2dShape;
import java.lang.foreign.MemorySegment;

/**
 * Backward of y = act(conv(x, W) + b): dZ = dY ⊙ act'(z) in place, then dW = patchesᵀ·dZ, db = Σ dZ and
 * dX = col2im(dZ·Wᵀ) ({@link Conv2dKernels}).
 *
 * <p>Two dispatches. The first computes dZ (split by images) and packs Wᵀ for the input gradient (split by
 * panels); both must be whole before any product reads them. The second gives each part a run of dW's rows
 * (in whole tiles; db goes to the first part) and a run of images of dX. Every gradient element has one
 * writer and a summation order fixed by the shape, so any thread count gives the same bits.
 */
public final class Conv2dBackwardStep implements Step {
    private final MemorySegment x;
    private final Conv2dShape shape;
    private final MemorySegment w;
    private final MemorySegment preActivation;
    private final MemorySegment y;
    private final MemorySegment dy;
    private final MemorySegment dw;
    private final MemorySegment db;
    private final MemorySegment dx;
    private final Activation activation;
    private final KernelPool pool;
    private final float[] packedWt;
    private final int transposedPanels;
    private final int grain;
    private final ParallelBody prepare = this::prepare;
    private final ParallelBody products = this::products;
    private float[][] scratch = new float[0][];
    private MemorySegment[] buffers = new MemorySegment[0];
    private int rows;

    /**
     * {@code db}, {@code dx} and {@code preActivation} may be null (no bias, no input gradient needed,
     * derivative computable from y); {@code dy} is overwritten with dZ.
     */
    public Conv2dBackwardStep(MemorySegment x, Conv2dShape shape, MemorySegment w, MemorySegment preActivation,
            MemorySegment y, MemorySegment dy, MemorySegment dw, MemorySegment db, MemorySegment dx,
            Activation activation, KernelPool pool) {
        this.x = x;
        this.shape = shape;
        this.w = w;
        this.preActivation = preActivation;
        this.y = y;
        this.dy = dy;
        this.dw = dw;
        this.db = db;
        this.dx = dx;
        this.activation = activation;
        this.pool = pool;
        this.packedWt = dx == null ? null : new float[Conv2dKernels.packedTransposedWeightFloats(shape)];
        this.transposedPanels = dx == null ? 0 : Conv2dKernels.transposedWeightPanels(shape);
        this.grain = Conv2dKernels.weightGradientGrain(shape);
    }

    @Override
    public void run(int rows) {
        this.rows = rows;
        long outputFloats = (long) rows * shape.outputFloats();
        if (activation != Activation.LINEAR || dx != null) {
            long work = (activation == Activation.LINEAR ? 0 : 4 * outputFloats)
                    + (dx == null ? 0 : (long) shape.patch() * shape.filters());
            pool.run(prepare, Parallelism.partsFor(work, Math.max(rows, transposedPanels), pool));
        }
        long product = outputFloats * shape.patch();
        int tiles = (shape.patch() + grain - 1) / grain;
        int parts = Parallelism.partsFor(dx == null ? product : 2 * product, dx == null ? tiles : Math.max(tiles, rows),
                pool);
        scratch = PartScratch.arrays(scratch, parts, Conv2dKernels.scratchFloats(shape));
        buffers = PartScratch.segments(buffers, parts, Conv2dKernels.bufferFloats(shape));
        pool.run(products, parts);
    }

    /** First dispatch: dZ in place for a run of images, and a run of Wᵀ's panels packed. */
    private void prepare(int part, int parts) {
        if (activation != Activation.LINEAR) {
            long imageFloats = shape.outputFloats();
            ActivationKernels.backward(activation, preActivation, y, dy, dy,
                    ParallelBody.start(rows, part, parts) * imageFloats, ParallelBody.start(rows, part + 1, parts) * imageFloats);
        }
        int to = ParallelBody.start(transposedPanels, part + 1, parts);
        for (int p = ParallelBody.start(transposedPanels, part, parts); p < to; p++) {
            Conv2dKernels.packTransposedWeights(w, shape, p, packedWt);
        }
    }

    /** Second dispatch: this part's rows of dW (and db on the first part), then its images of dX. */
    private void products(int part, int parts) {
        int k = shape.patch();
        int rowFrom = ParallelBody.alignedStart(k, part, parts, grain);
        int rowTo = ParallelBody.alignedStart(k, part + 1, parts, grain);
        MemorySegment biasGradient = part == 0 ? db : null;
        if (rowFrom < rowTo || biasGradient != null) {
            Conv2dKernels.weightGradient(x, dy, shape, rows, rowFrom, rowTo, dw, biasGradient, scratch[part], buffers[part]);
        }
        if (dx != null) {
            int imageFrom = ParallelBody.start(rows, part, parts);
            int imageTo = ParallelBody.start(rows, part + 1, parts);
            if (imageFrom < imageTo) {
                Conv2dKernels.inputGradient(dy, shape, imageFrom, imageTo, packedWt, dx, scratch[part], buffers[part]);
            }
        }
    }
}
