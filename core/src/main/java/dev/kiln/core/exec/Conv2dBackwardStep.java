package dev.kiln.core.exec;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.ActivationKernels;
import dev.kiln.core.kernel.Conv2dKernels;
import dev.kiln.core.kernel.Conv2dShape;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * Backward of y = act(conv(x, W) + b): dZ = dY ⊙ act'(z) in place, then dW = patchesᵀ·dZ, db = Σ dZ and
 * dX = col2im(dZ·Wᵀ) ({@link Conv2dKernels}).
 *
 * <p>Two dispatches. The first computes dZ (split by images) and packs Wᵀ for the input gradient (split by
 * panels); both must be whole before any product reads them. The second gives each part a run of dW's rows
 * (in whole tiles; db goes to the first part) and a run of images of dX. Every gradient element has one
 * writer and a summation order fixed by the shape, so any thread count gives the same bits.
 *
 * <p>A thin kernel gradient (a first layer: 3×3 over one channel gives dW nine rows, one or two tiles)
 * cannot be split by rows: each part would pack the whole batch's dZ for its one tile. Such a shape splits
 * the batch instead, into chunks of {@value #CHUNK_IMAGES} images fixed by the batch alone; each chunk's dW
 * and db go to a buffer of their own, and the chunks are then summed in order, so the bits still do not
 * depend on the thread count.
 */
public final class Conv2dBackwardStep implements Step {
    /** Images per chunk of a thin kernel gradient: a fixed unit, so the sums do not depend on the threads. */
    static final int CHUNK_IMAGES = 16;
    /** dW rows in at most this many tiles are computed by chunks of images rather than split by rows. */
    private static final int THIN_TILES = 2;

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
    private final boolean byImageChunks;
    private float[][] scratch = new float[0][];
    private MemorySegment[] buffers = new MemorySegment[0];
    /** Per chunk: its dW and db, and its views of x and dZ, made on first use and kept. */
    private MemorySegment[] chunkGradients = new MemorySegment[0];
    private MemorySegment[] chunkBiasGradients = new MemorySegment[0];
    private MemorySegment[] chunkInputs = new MemorySegment[0];
    private MemorySegment[] chunkOutputGradients = new MemorySegment[0];
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
        this.byImageChunks = (shape.patch() + grain - 1) / grain <= THIN_TILES;
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
        int splitItems = byImageChunks ? chunks(rows) : tiles;
        int parts = Parallelism.partsFor(dx == null ? product : 2 * product,
                dx == null ? splitItems : Math.max(splitItems, rows), pool);
        if (byImageChunks) {
            ensureChunks(chunks(rows));
        }
        scratch = PartScratch.arrays(scratch, parts, Conv2dKernels.scratchFloats(shape));
        buffers = PartScratch.segments(buffers, parts, Conv2dKernels.bufferFloats(shape));
        pool.run(products, parts);
        if (byImageChunks) {
            sumChunks(chunks(rows));
        }
    }

    private static int chunks(int rows) {
        return (rows + CHUNK_IMAGES - 1) / CHUNK_IMAGES;
    }

    /** The chunk buffers and views up to {@code chunks}, made once each. */
    private void ensureChunks(int chunks) {
        if (chunkGradients.length >= chunks) {
            return;
        }
        MemorySegment[] gradients = Arrays.copyOf(chunkGradients, chunks);
        MemorySegment[] biasGradients = Arrays.copyOf(chunkBiasGradients, chunks);
        MemorySegment[] inputs = Arrays.copyOf(chunkInputs, chunks);
        MemorySegment[] outputGradients = Arrays.copyOf(chunkOutputGradients, chunks);
        long weights = (long) shape.patch() * shape.filters();
        for (int c = chunkGradients.length; c < chunks; c++) {
            gradients[c] = Arena.ofAuto().allocate(weights * Float.BYTES, 64);
            biasGradients[c] = Arena.ofAuto().allocate((long) shape.filters() * Float.BYTES, 64);
            inputs[c] = x.asSlice((long) c * CHUNK_IMAGES * shape.inputFloats() * Float.BYTES);
            outputGradients[c] = dy.asSlice((long) c * CHUNK_IMAGES * shape.outputFloats() * Float.BYTES);
        }
        chunkGradients = gradients;
        chunkBiasGradients = biasGradients;
        chunkInputs = inputs;
        chunkOutputGradients = outputGradients;
    }

    /** dW (and db) = the chunks' sums, added in chunk order. */
    private void sumChunks(int chunks) {
        long weights = (long) shape.patch() * shape.filters();
        MemorySegment.copy(chunkGradients[0], 0, dw, 0, weights * Float.BYTES);
        for (int c = 1; c < chunks; c++) {
            Conv2dKernels.add(chunkGradients[c], 0, dw, 0, weights);
        }
        if (db != null) {
            MemorySegment.copy(chunkBiasGradients[0], 0, db, 0, (long) shape.filters() * Float.BYTES);
            for (int c = 1; c < chunks; c++) {
                Conv2dKernels.add(chunkBiasGradients[c], 0, db, 0, shape.filters());
            }
        }
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
        if (byImageChunks) {
            int chunks = chunks(rows);
            int to = ParallelBody.start(chunks, part + 1, parts);
            for (int c = ParallelBody.start(chunks, part, parts); c < to; c++) {
                Conv2dKernels.weightGradient(chunkInputs[c], chunkOutputGradients[c], shape,
                        Math.min(CHUNK_IMAGES, rows - c * CHUNK_IMAGES), 0, shape.patch(), chunkGradients[c],
                        db == null ? null : chunkBiasGradients[c], scratch[part], buffers[part]);
            }
        } else {
            weightGradientRows(part, parts);
        }
        if (dx != null) {
            int imageFrom = ParallelBody.start(rows, part, parts);
            int imageTo = ParallelBody.start(rows, part + 1, parts);
            if (imageFrom < imageTo) {
                Conv2dKernels.inputGradient(dy, shape, imageFrom, imageTo, packedWt, dx, scratch[part], buffers[part]);
            }
        }
    }

    /** This part's rows of dW (and db on the first part). */
    private void weightGradientRows(int part, int parts) {
        int k = shape.patch();
        int rowFrom = ParallelBody.alignedStart(k, part, parts, grain);
        int rowTo = ParallelBody.alignedStart(k, part + 1, parts, grain);
        MemorySegment biasGradient = part == 0 ? db : null;
        if (rowFrom < rowTo || biasGradient != null) {
            Conv2dKernels.weightGradient(x, dy, shape, rows, rowFrom, rowTo, dw, biasGradient, scratch[part], buffers[part]);
        }
    }
}
