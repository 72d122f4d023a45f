package dev.kiln.core.runtime;

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
 */
public final class LossStep implements Step {
    private final LossFunction loss;
    private final boolean fused;
    private final MemorySegment scores;
    private final MemorySegment output;
    private final MemorySegment target;
    private final MemorySegment gradient;
    private final int width;
    private final MetricReduction[] metrics;
    private final int[] metricOffsets;
    private final double[] metricSums;
    private double lossSum;

    /** {@code gradient} null computes the loss alone (evaluation). */
    public LossStep(LossFunction loss, boolean fused, MemorySegment scores, MemorySegment output, MemorySegment target,
            MemorySegment gradient, int width, List<? extends MetricReduction> metrics) {
        this.loss = loss;
        this.fused = fused;
        this.scores = scores;
        this.output = output;
        this.target = target;
        this.gradient = gradient;
        this.width = width;
        this.metrics = metrics.toArray(MetricReduction[]::new);
        this.metricOffsets = new int[this.metrics.length + 1];
        for (int i = 0; i < this.metrics.length; i++) {
            metricOffsets[i + 1] = metricOffsets[i] + this.metrics[i].sums();
        }
        this.metricSums = new double[metricOffsets[this.metrics.length]];
    }

    @Override
    public void run(int rows) {
        float scale = 1f / rows;
        lossSum = fused
                ? loss.sumAbsorbing(scores, target, output, gradient, width, scale, rows)
                : loss.sum(output, target, gradient, width, scale, rows);
        for (int i = 0; i < metrics.length; i++) {
            metrics[i].reduce(output, target, width, rows, metricSums, metricOffsets[i]);
        }
    }

    /** The sum of the per-sample losses of the last batch. */
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
