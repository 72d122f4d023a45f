package dev.kiln.core.exec;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.BlockedGemm;
import dev.kiln.core.kernel.Conv2dKernels;
import dev.kiln.core.kernel.Conv2dShape;
import java.lang.foreign.MemorySegment;

/**
 * y = act(conv(x, W) + b) for the batch, the epilogue fused into the product ({@link Conv2dKernels#forward}).
 *
 * <p>Two dispatches: the panels of W are packed, split across the pool, then the output pixels of the
 * whole batch are split in whole tiles, so that even one image (a single predict) keeps both cores busy.
 * Every split gives the same bits. Each part's scratch array is made on the first call that uses that many
 * parts (and again only if the pool grows), never per step.
 */
public final class Conv2dForwardStep implements Step, ParallelBody {
    private final MemorySegment x;
    private final Conv2dShape shape;
    private final MemorySegment w;
    private final MemorySegment bias;
    private final MemorySegment preActivation;
    private final MemorySegment y;
    private final Activation activation;
    private final KernelPool pool;
    private final float[] packedW;
    private final int panels;
    private final ParallelBody packing = this::pack;
    private float[][] scratch = new float[0][];
    private int pixels;

    /** {@code bias} and {@code preActivation} may be null; x is [rows][H][W][Cin], y and preActivation [rows][OH][OW][F]. */
    public Conv2dForwardStep(MemorySegment x, Conv2dShape shape, MemorySegment w, MemorySegment bias,
            MemorySegment preActivation, MemorySegment y, Activation activation, KernelPool pool) {
        this.x = x;
        this.shape = shape;
        this.w = w;
        this.bias = bias;
        this.preActivation = preActivation;
        this.y = y;
        this.activation = activation;
        this.pool = pool;
        this.packedW = new float[Conv2dKernels.packedWeightFloats(shape)];
        this.panels = Conv2dKernels.weightPanels(shape);
    }

    @Override
    public void run(int rows) {
        pixels = rows * shape.outPixels();
        pool.run(packing, Parallelism.partsFor((long) shape.patch() * shape.filters(), panels, pool));
        int tiles = (pixels + BlockedGemm.MR - 1) / BlockedGemm.MR;
        int parts = Parallelism.partsFor((long) pixels * shape.patch() * shape.filters(), tiles, pool);
        scratch = PartScratch.arrays(scratch, parts, Conv2dKernels.scratchFloats(shape));
        pool.run(this, parts);
    }

    private void pack(int part, int parts) {
        int to = ParallelBody.start(panels, part + 1, parts);
        for (int p = ParallelBody.start(panels, part, parts); p < to; p++) {
            Conv2dKernels.packWeights(w, shape, p, packedW);
        }
    }

    @Override
    public void run(int part, int parts) {
        int from = ParallelBody.alignedStart(pixels, part, parts, BlockedGemm.MR);
        int to = ParallelBody.alignedStart(pixels, part + 1, parts, BlockedGemm.MR);
        Conv2dKernels.forward(x, shape, from, to, packedW, bias, preActivation, y, activation, scratch[part]);
    }
}
