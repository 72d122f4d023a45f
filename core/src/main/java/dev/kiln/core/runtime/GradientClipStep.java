package dev.kiln.core.runtime;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.ParallelBody;
import dev.kiln.core.exec.Parallelism;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.ClipKernels;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounds the gradients between the backward pass and the optimizer update, as the graph's
 * {@link GradientClip} says.
 *
 * <p>Each parameter's gradient is cut into chunks of a fixed size. A norm is the sum of its chunks'
 * sums of squares, added in chunk order after the threads are done: the chunks, not the threads,
 * decide the order of the additions, so any thread count gives the same bits.
 */
public final class GradientClipStep implements Step, ParallelBody {
    /** Floats per chunk: whole cache lines, and enough work per chunk to be worth a dispatch. */
    private static final int CHUNK = 4096;
    /** Work units per gradient float for {@link Parallelism#partsFor}: a part is worth it from 16,384 floats. */
    private static final int WORK_PER_FLOAT = 2;

    private enum Phase { SUM, SCALE, CLIP_VALUE }

    private final MemorySegment gradients;
    private final KernelPool pool;
    private final long[] chunkFrom;
    private final long[] chunkTo;
    private final int[] chunkParameter;
    private final int[] firstChunk;
    private final double[] chunkSums;
    private final float[] parameterScale;
    private final long totalFloats;
    private GradientClip clip = GradientClip.NONE;
    private Phase phase;

    public GradientClipStep(MemorySegment gradients, List<Parameter> parameters, KernelPool pool) {
        this.gradients = gradients;
        this.pool = pool;
        List<long[]> chunks = new ArrayList<>();
        firstChunk = new int[parameters.size() + 1];
        long total = 0;
        for (int p = 0; p < parameters.size(); p++) {
            Parameter parameter = parameters.get(p);
            firstChunk[p] = chunks.size();
            long end = parameter.offset() + parameter.size();
            for (long from = parameter.offset(); from < end; from += CHUNK) {
                chunks.add(new long[] {from, Math.min(end, from + CHUNK), p});
            }
            total += parameter.size();
        }
        firstChunk[parameters.size()] = chunks.size();
        chunkFrom = new long[chunks.size()];
        chunkTo = new long[chunks.size()];
        chunkParameter = new int[chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            chunkFrom[c] = chunks.get(c)[0];
            chunkTo[c] = chunks.get(c)[1];
            chunkParameter[c] = (int) chunks.get(c)[2];
        }
        chunkSums = new double[chunks.size()];
        parameterScale = new float[parameters.size()];
        totalFloats = total;
    }

    public GradientClip clip() {
        return clip;
    }

    public void setClip(GradientClip clip) {
        this.clip = clip;
    }

    @Override
    public void run(int rows) {
        switch (clip.mode()) {
            case NONE -> { }
            case VALUE -> dispatch(Phase.CLIP_VALUE);
            case NORM, GLOBAL_NORM -> {
                dispatch(Phase.SUM);
                if (computeScales()) {
                    dispatch(Phase.SCALE);
                }
            }
        }
    }

    /** Turns the chunk sums into one factor per parameter; false when no gradient needs rescaling. */
    private boolean computeScales() {
        double c = clip.threshold();
        int parameters = parameterScale.length;
        boolean any = false;
        if (clip.mode() == GradientClip.Mode.GLOBAL_NORM) {
            double sum = 0;
            for (double s : chunkSums) {
                sum += s;
            }
            float factor = (float) (c / Math.max(Math.sqrt(sum), c));
            for (int p = 0; p < parameters; p++) {
                parameterScale[p] = factor;
            }
            any = factor != 1f;
        } else {
            for (int p = 0; p < parameters; p++) {
                double sum = 0;
                for (int k = firstChunk[p]; k < firstChunk[p + 1]; k++) {
                    sum += chunkSums[k];
                }
                parameterScale[p] = (float) (c / Math.max(Math.sqrt(sum), c));
                any |= parameterScale[p] != 1f;
            }
        }
        return any;
    }

    private void dispatch(Phase next) {
        phase = next;
        int parts = Parallelism.partsFor(totalFloats * WORK_PER_FLOAT, chunkSums.length, pool);
        pool.run(this, parts);
    }

    @Override
    public void run(int part, int parts) {
        int from = ParallelBody.start(chunkSums.length, part, parts);
        int to = ParallelBody.start(chunkSums.length, part + 1, parts);
        for (int c = from; c < to; c++) {
            switch (phase) {
                case SUM -> chunkSums[c] = ClipKernels.sumOfSquares(gradients, chunkFrom[c], chunkTo[c]);
                case SCALE -> ClipKernels.scale(gradients, parameterScale[chunkParameter[c]], chunkFrom[c], chunkTo[c]);
                case CLIP_VALUE -> ClipKernels.clipValue(gradients, clip.threshold(), chunkFrom[c], chunkTo[c]);
            }
        }
    }
}
