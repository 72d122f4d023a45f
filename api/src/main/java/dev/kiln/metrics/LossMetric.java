package dev.kiln.metrics;

import dev.kiln.core.runtime.LossMean;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.losses.Loss;

/**
 * A Keras loss function used as a metric by its name ({@code "msle"}, {@code "mape"}, {@code "hinge"},
 * ...): the mean over the rows of the loss's per-sample values, on the model's outputs as they are (a
 * softmax's probabilities), whatever loss the model trains with. Saved as its name, as Keras saves it.
 */
final class LossMetric extends Metric {
    private final Loss loss;

    LossMetric(String name, Loss loss) {
        super(name);
        this.loss = loss;
    }

    @Override
    public boolean savedAsName() {
        return true;
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss modelLoss) {
        return new LossMean(loss.function());
    }

    @Override
    public String incompatibility(Loss modelLoss) {
        return modelLoss.sparseTargets() ? "metric '" + name() + "' needs targets as wide as the output but loss '"
                + modelLoss.name() + "' takes class indices" : null;
    }
}
