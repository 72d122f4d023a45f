package dev.kiln.core.runtime;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.ParallelBody;
import dev.kiln.core.exec.Parallelism;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.FiniteScan;
import dev.kiln.core.kernel.OptimizerKernels;
import java.lang.foreign.MemorySegment;

/**
 * One optimizer pass over all parameters at once: they sit back to back in one buffer (and so do
 * their gradients and slots), so a single fused, vectorised loop updates the whole model.
 *
 * <p>Before it runs, {@link #wouldStayFinite()} answers whether every new weight and slot would be
 * finite; the training program refuses the step when not, so an update never leaves a NaN or an
 * infinity in the model's state. Reading all the state a second time for that would cost a tenth to a
 * fifth of a small step, so the answer is first sought in bounds: the writing pass reports whether what
 * it wrote is tame (see {@link OptimizerKernels}), one pass over the gradients (which the check reads
 * anyway) whether they are below {@link TameBounds#GRADIENT}, and from those bounds and its
 * hyper-parameters the rule proves the next update finite in a few lines of arithmetic
 * ({@link UpdateRule.Bound#tameUpdateStaysFinite}). Only when that proof fails (state written from
 * outside, huge values, extreme hyper-parameters) does the exact checking pass run.
 *
 * <p>The step only dispatches and checks: what an update computes, and its per-step scalars, belong to
 * the {@link UpdateRule}.
 */
public final class UpdateStep implements Step, ParallelBody {
    /** Chunks of whole cache lines, so parts never share one. */
    private static final int GRAIN = 16;
    /** Work units per element for {@link Parallelism#partsFor}: a part is worth it from 16,384 elements. */
    private static final int WORK_PER_ELEMENT = 2;
    /** x·2^77 is finite exactly when |x| < 2^51, the tame gradient bound. */
    private static final float GRADIENT_SCALE = 0x1p77f;

    private enum Pass { SCAN_GRADIENTS, CHECK, WRITE }

    private final UpdateRule.Bound rule;
    private final MemorySegment gradients;
    private final int size;
    private final KernelPool pool;
    private float learningRate;
    private long iterations;
    private Pass pass;
    /** Set by any part whose pass found a value that was not finite (or, writing, not tame). */
    private volatile boolean failed;
    /** Whether the weights and slots are known tame: the last write said so and nothing wrote them since. */
    private boolean stateTame;

    /** Updates the first {@code size} elements of {@code buffers} by {@code rule}. */
    public UpdateStep(UpdateRule rule, UpdateBuffers buffers, int size, KernelPool pool) {
        if (buffers.slots().size() != rule.slots()) {
            throw new IllegalArgumentException("the rule keeps " + rule.slots() + " slots but " + buffers.slots().size()
                    + " slot buffers were given");
        }
        this.rule = rule.bind(buffers);
        this.gradients = buffers.gradients();
        this.size = size;
        this.pool = pool;
        this.learningRate = rule.learningRate();
    }

    /** True when the next update would leave every weight and optimizer slot finite; changes nothing. */
    public boolean wouldStayFinite() {
        rule.prepare(iterations + 1, learningRate);
        if (stateTame && rule.tameUpdateStaysFinite() && runPass(Pass.SCAN_GRADIENTS)) {
            return true;
        }
        return runPass(Pass.CHECK);
    }

    /**
     * Whether updating only elements [from, to) of the parameter buffer would stay finite, on the calling
     * thread; for naming the parameter at fault once a check has failed.
     */
    public boolean wouldStayFinite(long from, long to) {
        rule.prepare(iterations + 1, learningRate);
        return rule.update(from, to, false);
    }

    @Override
    public void run(int rows) {
        rule.prepare(iterations + 1, learningRate);
        stateTame = runPass(Pass.WRITE);
        iterations++;
    }

    /** Says the weights or slots were written from outside (restored, set by the user): their bounds are unknown. */
    public void stateChanged() {
        stateTame = false;
    }

    /** Runs {@code which} across the pool; true when no part failed. */
    private boolean runPass(Pass which) {
        pass = which;
        failed = false;
        int parts = Parallelism.partsFor((long) size * WORK_PER_ELEMENT, (size + GRAIN - 1) / GRAIN, pool);
        pool.run(this, parts);
        return !failed;
    }

    @Override
    public void run(int part, int parts) {
        long from = ParallelBody.alignedStart(size, part, parts, GRAIN);
        long to = ParallelBody.alignedStart(size, part + 1, parts, GRAIN);
        boolean ok = pass == Pass.SCAN_GRADIENTS
                ? FiniteScan.allFiniteScaled(gradients, from, to, GRADIENT_SCALE)
                : rule.update(from, to, pass == Pass.WRITE);
        if (!ok) {
            failed = true;
        }
    }

    public float learningRate() {
        return learningRate;
    }

    public void setLearningRate(float lr) {
        learningRate = lr;
    }

    public long iterations() {
        return iterations;
    }

    public void setIterations(long value) {
        iterations = value;
    }
}
