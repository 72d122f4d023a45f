package dev.kiln.core.runtime;

import java.lang.foreign.MemorySegment;

/**
 * A loss used as a metric: the sum of its per-sample values over a batch (a mean over the rows), as
 * Keras' loss-named metrics ({@code "msle"}, {@code "kl_divergence"}, {@code "hinge"}, ...) compute it.
 * Reads the model's output as it is (probabilities after a softmax), never a gradient.
 *
 * <pre>{@code
 * MetricReduction msle = new LossMean(new MeanSquaredLogarithmicErrorLoss());
 * }</pre>
 */
public record LossMean(LossFunction loss) implements MetricReduction {
    @Override
    public long count(int rows, int width) {
        return rows;
    }

    @Override
    public void reduce(MemorySegment output, MemorySegment target, int width, int rows, double[] out, int at) {
        out[at] = loss.sum(output, target, null, width, 1f, 0, rows);
    }
}
