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
 * anyway) whether they are below {@link #TAME_GRADIENT}, and from those bounds and the rule's
 * hyper-parameters a few lines of arithmetic prove the next update finite. Only when that proof fails
 * (state written from outside, huge values, extreme hyper-parameters) does the exact checking pass run.
 */
public final class UpdateStep implements Step, ParallelBody {
    /** Chunks of whole cache lines, so parts never share one. */
    private static final int GRAIN = 16;
    /** Work units per element for {@link Parallelism#partsFor}: a part is worth it from 16,384 elements. */
    private static final int WORK_PER_ELEMENT = 2;
    /** A tame gradient is below 2^51 in magnitude: its square, 2^102, is far from overflowing. */
    static final float TAME_GRADIENT = 0x1p51f;
    /** x·2^77 is finite exactly when |x| < 2^51. */
    private static final float GRADIENT_SCALE = 0x1p77f;
    /** Results bounded by 2^126 are finite with room for the rounding of the few operations that make them. */
    private static final double FINITE_WITH_ROOM = 0x1p126;

    private enum Pass { SCAN_GRADIENTS, CHECK, WRITE }

    private final UpdateRule rule;
    private final MemorySegment weights;
    private final MemorySegment gradients;
    private final MemorySegment slot0;
    private final MemorySegment slot1;
    private final int size;
    private final KernelPool pool;
    private float learningRate;
    private long iterations;
    private float alpha;
    private float decay;
    private Pass pass;
    /** Set by any part whose pass found a value that was not finite (or, writing, not tame). */
    private volatile boolean failed;
    /** Whether the weights and slots are known tame: the last write said so and nothing wrote them since. */
    private boolean stateTame;

    public UpdateStep(UpdateRule rule, MemorySegment weights, MemorySegment gradients, MemorySegment slot0,
            MemorySegment slot1, int size, KernelPool pool) {
        this.rule = rule;
        this.weights = weights;
        this.gradients = gradients;
        this.slot0 = slot0;
        this.slot1 = slot1;
        this.size = size;
        this.pool = pool;
        this.learningRate = rule.learningRate();
    }

    /** True when the next update would leave every weight and optimizer slot finite; changes nothing. */
    public boolean wouldStayFinite() {
        prepare(iterations + 1);
        if (stateTame && tameUpdateStaysFinite() && runPass(Pass.SCAN_GRADIENTS)) {
            return true;
        }
        return runPass(Pass.CHECK);
    }

    /**
     * Whether updating only elements [from, to) of the parameter buffer would stay finite, on the calling
     * thread; for naming the parameter at fault once a check has failed.
     */
    public boolean wouldStayFinite(long from, long to) {
        prepare(iterations + 1);
        return update(from, to, false);
    }

    @Override
    public void run(int rows) {
        prepare(iterations + 1);
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

    /** The step size of update number {@code t} (counting from 1). */
    private void prepare(long t) {
        if (rule instanceof UpdateRule.Adam adam) {
            alpha = (float) (learningRate * Math.sqrt(1 - Math.pow(adam.beta2(), t)) / (1 - Math.pow(adam.beta1(), t)));
            decay = learningRate * adam.weightDecay();
        }
    }

    /**
     * Whether tame weights and slots (|w|, |m| < B = 2^65, second moments in [0, V = 2^121); they are
     * never negative, being written from sums of squares or checked when restored) and tame gradients
     * (|g| < G = 2^51) give a finite update. Each intermediate product the kernel forms is bounded, not
     * only the result: a step divided by ε > 1 is smaller than the product it is divided from, but that
     * product must not overflow first.
     */
    private boolean tameUpdateStaysFinite() {
        double b = OptimizerKernels.TAME_VALUE;
        double g = TAME_GRADIENT;
        double lr = learningRate;
        return switch (rule) {
            case UpdateRule.GradientDescent sgd -> {
                double velocity = sgd.momentum() * b + lr * g; // |μm − lr·g|, lr·g included
                yield b + 2 * velocity + lr * g <= FINITE_WITH_ROOM;
            }
            // |w − w·decay| + |alpha·m'|·max(1, 1/ε): |m'| = |m + (g − m)(1 − β1)| <= 2b + g, √v' + ε >= ε.
            case UpdateRule.Adam adam -> adam.epsilon() > 0
                    && b * (1 + decay) + alpha * (2 * b + g) * Math.max(1, 1 / adam.epsilon()) <= FINITE_WITH_ROOM;
            // |w| + |g·lr|·max(1, 1/√ε), with v' >= 0 so that √(v' + ε) >= √ε.
            case UpdateRule.RmsProp rms -> rms.epsilon() > 0
                    && b + g * lr * Math.max(1, 1 / Math.sqrt(rms.epsilon())) <= FINITE_WITH_ROOM;
            case UpdateRule.Adagrad ada -> ada.epsilon() > 0
                    && b + g * lr * Math.max(1, 1 / Math.sqrt(ada.epsilon())) <= FINITE_WITH_ROOM;
        };
    }

    @Override
    public void run(int part, int parts) {
        long from = ParallelBody.alignedStart(size, part, parts, GRAIN);
        long to = ParallelBody.alignedStart(size, part + 1, parts, GRAIN);
        boolean ok = pass == Pass.SCAN_GRADIENTS
                ? FiniteScan.allFiniteScaled(gradients, from, to, GRADIENT_SCALE)
                : update(from, to, pass == Pass.WRITE);
        if (!ok) {
            failed = true;
        }
    }

    private boolean update(long from, long to, boolean write) {
        return switch (rule) {
            case UpdateRule.GradientDescent sgd when sgd.momentum() == 0f ->
                    OptimizerKernels.sgd(weights, gradients, learningRate, from, to, write);
            case UpdateRule.GradientDescent sgd -> OptimizerKernels.sgdMomentum(weights, gradients, slot0, learningRate,
                    sgd.momentum(), sgd.nesterov(), from, to, write);
            case UpdateRule.Adam adam -> OptimizerKernels.adam(weights, gradients, slot0, slot1, alpha, adam.beta1(),
                    adam.beta2(), adam.epsilon(), decay, from, to, write);
            case UpdateRule.RmsProp rms ->
                    OptimizerKernels.rmsprop(weights, gradients, slot0, learningRate, rms.rho(), rms.epsilon(), from, to, write);
            case UpdateRule.Adagrad ada ->
                    OptimizerKernels.adagrad(weights, gradients, slot0, learningRate, ada.epsilon(), from, to, write);
        };
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
