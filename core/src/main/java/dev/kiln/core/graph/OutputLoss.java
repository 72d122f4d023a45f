package dev.kiln.core.graph;

import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MetricReduction;
import java.util.List;

/**
 * How one output of a graph is scored: its loss, the weight of that loss in the total the optimizer
 * minimizes (total = Σ weight · loss), and the metric reductions computed from that output alone.
 *
 * <pre>{@code
 * var outputs = List.of(new OutputLoss(new CategoricalCrossEntropyLoss(), 1f, List.of()),
 *         new OutputLoss(new MeanSquaredErrorLoss(), 0.5f, List.of()));
 * }</pre>
 */
public record OutputLoss(LossFunction loss, float weight, List<? extends MetricReduction> metrics) {
    public OutputLoss {
        if (loss == null) {
            throw new IllegalArgumentException("an output's loss is null");
        }
        if (!(weight >= 0f) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException("loss weight must be a finite number >= 0, got " + weight);
        }
        metrics = List.copyOf(metrics);
    }
}
