package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.ParallelBody;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.OptimizerKernels;
import java.lang.foreign.MemorySegment;

/**
 * One optimizer pass over all parameters at once: they sit back to back in one buffer (and so do
 * their gradients and slots), so a single fused, vectorised loop updates the whole model.
 *
 * <p>Before it runs, {@link #wouldStayFinite()} makes the same pass without storing anything and
 * answers whether every new weight and slot would be finite; the training program refuses the step
 * when not, so an update never leaves a NaN or an infinity in the model's state.
 */
final class UpdateStep implements Step, ParallelBody {
    /** Chunks of whole cache lines, so parts never share one. */
    private static final int GRAIN = 16;
    private static final int MIN_PER_PART = 16_384;

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
    /** The mode of the pass in flight: store the new values, or only check them. */
    private boolean write;
    private volatile boolean nonFinite;

    UpdateStep(UpdateRule rule, MemorySegment weights, MemorySegment gradients, MemorySegment slot0,
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
    boolean wouldStayFinite() {
        pass(false);
        return !nonFinite;
    }

    /**
     * Whether updating only elements [from, to) of the parameter buffer would stay finite, on the calling
     * thread; for naming the parameter at fault once a check has failed.
     */
    boolean wouldStayFinite(long from, long to) {
        prepare(iterations + 1);
        write = false;
        return update(from, to);
    }

    @Override
    public void run(int rows) {
        pass(true);
        iterations++;
    }

    private void pass(boolean store) {
        prepare(iterations + 1);
        write = store;
        nonFinite = false;
        int parts = Math.max(1, Math.min(pool.threads(), size / MIN_PER_PART));
        pool.run(this, parts);
    }

    /** The step size of update number {@code t} (counting from 1). */
    private void prepare(long t) {
        if (rule instanceof UpdateRule.Adam adam) {
            alpha = (float) (learningRate * Math.sqrt(1 - Math.pow(adam.beta2(), t)) / (1 - Math.pow(adam.beta1(), t)));
            decay = learningRate * adam.weightDecay();
        }
    }

    @Override
    public void run(int part, int parts) {
        long from = ParallelBody.alignedStart(size, part, parts, GRAIN);
        long to = ParallelBody.alignedStart(size, part + 1, parts, GRAIN);
        if (!update(from, to)) {
            nonFinite = true;
        }
    }

    private boolean update(long from, long to) {
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

    float learningRate() {
        return learningRate;
    }

    void setLearningRate(float lr) {
        learningRate = lr;
    }

    long iterations() {
        return iterations;
    }

    void setIterations(long value) {
        iterations = value;
    }
}
