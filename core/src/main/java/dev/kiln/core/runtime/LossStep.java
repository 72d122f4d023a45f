package dev.kiln.core.runtime;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import dev.kiln.core.exec.Step;
import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Computes the batch loss, its gradient (when training) and the metric reductions, on one thread:
 * these are a few thousand operations, less than waking a second thread would cost.
 *
 * <p>When the loss absorbed the output activation, {@code scores} holds the logits and the loss
 * writes the probabilities to {@code output} on the way; otherwise {@code scores == output}. What the
 * loss computes, and with which kernels, is the {@link LossFunction}'s own.
 *
 * <p>A run may weight its rows ({@link #weightRows}): row r's loss and gradient are then scaled by
 * {@code weights[r]}, and the batch loss is still divided by the number of rows, not by the sum of the
 * weights (Keras' sum_over_batch_size). The loss is then computed a row at a time, so that each row
 * gets its own gradient scale; an unweighted run takes the whole batch in one call, as it always did.
 * Metrics are never weighted (Keras' {@code metrics}, unlike its {@code weighted_metrics}).
 *
 * <p>In a model with several outputs, each output's loss is one term of the total, times its loss
 * weight: the gradient is scaled by that weight, while {@link #lossSum()} stays the output's own loss.
 */
public final class LossStep implements Step {
    private final LossFunction loss;
    private final boolean fused;
    private final MemorySegment scores;
    private final MemorySegment output;
    private final MemorySegment target;
    private final MemorySegment gradient;
    private final MemorySegment weights;
    private final int width;
    private final float lossWeight;
    private final MetricReduction[] metrics;
    private final int[] metricOffsets;
    private final double[] metricSums;
    private boolean weighted;
    private double lossSum;

    /**
     * {@code gradient} null computes the loss alone (evaluation); {@code weights} holds a float per row,
     * read only by runs that {@link #weightRows weight their rows}.
     */
    public LossStep(LossFunction loss, boolean fused, MemorySegment scores, MemorySegment output, MemorySegment target,
            MemorySegment gradient, MemorySegment weights, int width, List<? extends MetricReduction> metrics) {
        this(loss, fused, scores, output, target, gradient, weights, width, 1f, metrics);
    }

    /** As the other constructor, for one term of a total loss: the gradient is scaled by {@code lossWeight}. */
    public LossStep(LossFunction loss, boolean fused, MemorySegment scores, MemorySegment output, MemorySegment target,
            MemorySegment gradient, MemorySegment weights, int width, float lossWeight,
            List<? extends MetricReduction> metrics) {
        this.lossWeight = lossWeight;
        this.loss = loss;
        this.fused = fused;
        this.scores = scores;
        this.output = output;
        this.target = target;
        this.gradient = gradient;
        this.weights = weights;
        this.width = width;
        this.metrics = metrics.toArray(MetricReduction[]::new);
        this.metricOffsets = new int[this.metrics.length + 1];
        for (int i = 0; i < this.metrics.length; i++) {
            metricOffsets[i + 1] = metricOffsets[i] + this.metrics[i].sums();
        }
        this.metricSums = new double[metricOffsets[this.metrics.length]];
    }

    /** Whether the following runs scale each row by its weight; off until turned on. */
    public void weightRows(boolean on) {
        weighted = on;
    }

    @Override
    public void run(int rows) {
        float scale = lossWeight * (1f / rows); // exactly 1f / rows for a weight of 1
        lossSum = weighted ? weightedLossSum(rows, scale) : lossSum(scale, 0, rows);
        for (int i = 0; i < metrics.length; i++) {
            metrics[i].reduce(output, target, width, rows, metricSums, metricOffsets[i]);
        }
    }

    private double lossSum(float gradScale, int rowFrom, int rowTo) {
        return fused
                ? loss.sumAbsorbing(scores, target, output, gradient, width, gradScale, rowFrom, rowTo)
                : loss.sum(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }

    private double weightedLossSum(int rows, float scale) {
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            float w = weights.getAtIndex(JAVA_FLOAT, r);
            sum += w * lossSum(w * scale, r, r + 1);
        }
        return sum;
    }

    /** The weight of this loss in the total. */
    public float lossWeight() {
        return lossWeight;
    }

    /**
     * The sum of the per-sample losses of the last batch, each times its weight in a weighted run; not
     * times the {@link #lossWeight()}.
     */
    public double lossSum() {
        return lossSum;
    }

    /** The first (for most reductions the only) sum of metric {@code i}. */
    public double metricSum(int i) {
        return metricSums[metricOffsets[i]];
    }

    /** Adds every sum of metric {@code i} to {@code totals[0 ..)}. */
    public void addMetricSums(int i, double[] totals) {
        for (int s = metricOffsets[i], t = 0; s < metricOffsets[i + 1]; s++, t++) {
            totals[t] += metricSums[s];
        }
    }
}
