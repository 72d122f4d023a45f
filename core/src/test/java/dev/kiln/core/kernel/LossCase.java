package dev.kiln.core.kernel;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Random;

/**
 * One loss kernel with the data it expects and its double reference, so that every loss test
 * (reference, gradient, range split) runs over all of them.
 */
record LossCase(String name, boolean sparse, boolean hasProb, Inputs inputs, Kernel kernel, Reference reference) {
    /** Keras' label_smoothing for the smoothed cases: far enough from 0 that a kernel ignoring it fails. */
    static final float SMOOTHING = 0.15f;

    /** The kernel, with {@code probOut} ignored by losses that have none. */
    interface Kernel {
        double run(MemorySegment in, MemorySegment target, MemorySegment probOut, MemorySegment grad, int cols,
                float gradScale, int rowFrom, int rowTo);
    }

    /** Row loss; writes the unscaled gradient (and activation) of row {@code row}. */
    interface Reference {
        double row(float[] in, float[] denseTarget, int row, int cols, double[] grad, double[] prob);
    }

    /** Random inputs of the right kind for this loss. */
    interface Inputs {
        float[] draw(Random random, int n);
    }

    static List<LossCase> all() {
        Inputs values = (r, n) -> LossTestBuffers.uniform(r, n, -2f, 2f);
        Inputs probabilities = (r, n) -> LossTestBuffers.uniform(r, n, 0.02f, 0.98f);
        Inputs logits = (r, n) -> LossTestBuffers.uniform(r, n, -6f, 6f);
        return List.of(
                new LossCase("mse", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.meanSquaredError(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.mse(in, t, i, c, g)),
                new LossCase("mae", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.meanAbsoluteError(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.mae(in, t, i, c, g)),
                new LossCase("huber", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.huber(in, t, 1f, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.huber(in, t, 1.0, i, c, g)),
                // δ = 0.3 puts most errors on the linear side, δ = 1 most on the quadratic one.
                new LossCase("huber, delta 0.3", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.huber(in, t, 0.3f, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.huber(in, t, 0.3f, i, c, g)),
                // Some predictions below 0, where Keras raises them to ε.
                new LossCase("msle", false, false, (r, n) -> LossTestBuffers.uniform(r, n, -0.5f, 3f),
                        (in, t, p, g, c, s, f, to) -> LossKernels.meanSquaredLogarithmicError(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.msle(in, t, i, c, g)),
                new LossCase("log cosh", false, false, logits,
                        (in, t, p, g, c, s, f, to) -> LossKernels.logCosh(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.logCosh(in, t, i, c, g)),
                new LossCase("poisson", false, false, (r, n) -> LossTestBuffers.uniform(r, n, 0.05f, 4f),
                        (in, t, p, g, c, s, f, to) -> LossKernels.poisson(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.poisson(in, t, i, c, g)),
                new LossCase("mape", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.meanAbsolutePercentageError(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.mape(in, t, i, c, g)),
                // Soft targets are read as they are; 0/1 targets as 2t − 1; ±1 targets as they are.
                new LossCase("hinge", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.hinge(in, t, false, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.hinge(in, t, false, i, c, g)),
                new LossCase("hinge, 0/1 targets", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.hinge(in, t, false, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.hinge(in, t, false, i, c, g)),
                new LossCase("squared hinge", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.hinge(in, t, true, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.hinge(in, t, true, i, c, g)),
                new LossCase("squared hinge, ±1 targets", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.hinge(in, t, true, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.hinge(in, t, true, i, c, g)),
                new LossCase("categorical hinge", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.categoricalHinge(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.categoricalHinge(in, t, i, c, g)),
                new LossCase("categorical hinge, 0/1 targets", false, false, values,
                        (in, t, p, g, c, s, f, to) -> LossKernels.categoricalHinge(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.categoricalHinge(in, t, i, c, g)),
                new LossCase("kl divergence", false, false, probabilities,
                        (in, t, p, g, c, s, f, to) -> LossKernels.klDivergence(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.klDivergence(in, t, i, c, g)),
                new LossCase("bce", false, false, probabilities,
                        (in, t, p, g, c, s, f, to) -> LossKernels.binaryCrossEntropy(in, t, 0f, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.bce(in, t, i, c, g)),
                new LossCase("sigmoid bce", false, true, logits,
                        (in, t, p, g, c, s, f, to) -> LossKernels.sigmoidBinaryCrossEntropy(in, t, 0f, p, g, c, s, f, to),
                        LossReference::sigmoidBce),
                new LossCase("cce", false, false, probabilities,
                        (in, t, p, g, c, s, f, to) -> LossKernels.categoricalCrossEntropy(in, t, 0f, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.cce(in, t, i, c, g)),
                new LossCase("sparse cce", true, false, probabilities,
                        (in, t, p, g, c, s, f, to) -> LossKernels.sparseCategoricalCrossEntropy(in, t, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.cce(in, t, i, c, g)),
                new LossCase("softmax ce", false, true, logits,
                        (in, t, p, g, c, s, f, to) -> LossKernels.softmaxCrossEntropy(in, t, 0f, p, g, c, s, f, to),
                        LossReference::softmaxCe),
                new LossCase("sparse softmax ce", true, true, logits,
                        LossKernels::sparseSoftmaxCrossEntropy,
                        LossReference::softmaxCe),
                // Keras' label smoothing: the reference smooths the targets by Keras' formula, in double.
                new LossCase("bce, label smoothing", false, false, probabilities,
                        (in, t, p, g, c, s, f, to) -> LossKernels.binaryCrossEntropy(in, t, SMOOTHING, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.bce(in, LossReference.smoothed(t, SMOOTHING, 2), i, c, g)),
                new LossCase("sigmoid bce, label smoothing", false, true, logits,
                        (in, t, p, g, c, s, f, to) -> LossKernels.sigmoidBinaryCrossEntropy(in, t, SMOOTHING, p, g, c, s,
                                f, to),
                        (in, t, i, c, g, p) -> LossReference.sigmoidBce(in, LossReference.smoothed(t, SMOOTHING, 2), i,
                                c, g, p)),
                new LossCase("cce, label smoothing", false, false, probabilities,
                        (in, t, p, g, c, s, f, to) -> LossKernels.categoricalCrossEntropy(in, t, SMOOTHING, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.cce(in, LossReference.smoothed(t, SMOOTHING, c), i, c, g)),
                new LossCase("softmax ce, label smoothing", false, true, logits,
                        (in, t, p, g, c, s, f, to) -> LossKernels.softmaxCrossEntropy(in, t, SMOOTHING, p, g, c, s, f, to),
                        (in, t, i, c, g, p) -> LossReference.softmaxCe(in, LossReference.smoothed(t, SMOOTHING, c), i, c,
                                g, p)));
    }

    /**
     * Dense targets in [0, 1] (soft for the dense categorical losses, so Σt ≠ 1 is covered too); for the
     * cases named so, 0/1 or ±1 targets.
     */
    float[] denseTargets(Random random, int rows, int cols) {
        float[] t = LossTestBuffers.uniform(random, rows * cols, 0f, 1f);
        if (name.endsWith("0/1 targets") || name.endsWith("±1 targets")) {
            float low = name.endsWith("0/1 targets") ? 0f : -1f;
            for (int k = 0; k < t.length; k++) {
                t[k] = t[k] < 0.5f ? low : 1f;
            }
        }
        return t;
    }

    @Override
    public String toString() {
        return name;
    }
}
