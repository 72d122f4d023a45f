package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.ParallelBody;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.OptimizerKernels;
import java.lang.foreign.MemorySegment;

/**
 * One optimizer pass over all parameters at once: they sit back to back in one buffer (and so do
 * their gradients and slots), so a single fused, vectorised loop updates the whole model.
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

    @Override
    public void run(int rows) {
        iterations++;
        if (rule instanceof UpdateRule.Adam adam) {
            double t = iterations;
            alpha = (float) (learningRate * Math.sqrt(1 - Math.pow(adam.beta2(), t)) / (1 - Math.pow(adam.beta1(), t)));
            decay = learningRate * adam.weightDecay();
        }
        int parts = Math.max(1, Math.min(pool.threads(), size / MIN_PER_PART));
        pool.run(this, parts);
    }

    @Override
    public void run(int part, int parts) {
        long from = ParallelBody.alignedStart(size, part, parts, GRAIN);
        long to = ParallelBody.alignedStart(size, part + 1, parts, GRAIN);
        switch (rule) {
            case UpdateRule.GradientDescent sgd when sgd.momentum() == 0f ->
                    OptimizerKernels.sgd(weights, gradients, learningRate, from, to);
            case UpdateRule.GradientDescent sgd ->
                    OptimizerKernels.sgdMomentum(weights, gradients, slot0, learningRate, sgd.momentum(), sgd.nesterov(), from, to);
            case UpdateRule.Adam adam ->
                    OptimizerKernels.adam(weights, gradients, slot0, slot1, alpha, adam.beta1(), adam.beta2(),
                            adam.epsilon(), decay, from, to);
            case UpdateRule.RmsProp rms ->
                    OptimizerKernels.rmsprop(weights, gradients, slot0, learningRate, rms.rho(), rms.epsilon(), from, to);
            case UpdateRule.Adagrad ada ->
                    OptimizerKernels.adagrad(weights, gradients, slot0, learningRate, ada.epsilon(), from, to);
        }
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
