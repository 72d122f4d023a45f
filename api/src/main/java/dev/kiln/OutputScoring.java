package dev.kiln;

import dev.kiln.losses.Loss;
import dev.kiln.metrics.Metric;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * How each output of a model with several outputs is scored, resolved against its output names: a loss,
 * its weight in the total and metrics, per output in the order of the outputs.
 */
record OutputScoring(List<String> names, List<Loss> losses, float[] weights, List<List<Metric>> metrics) {
    OutputScoring {
        names = List.copyOf(names);
        losses = List.copyOf(losses);
        weights = weights.clone();
        metrics = List.copyOf(metrics);
    }

    /**
     * One loss for every output, as Keras' {@code compile(loss="mse")} on a model with several outputs; a
     * flat metric list must then have one metric per output, as Keras 3 requires.
     */
    static OutputScoring sameLoss(List<String> names, Loss loss, List<Metric> metrics) {
        if (!metrics.isEmpty() && metrics.size() != names.size()) {
            throw new IllegalArgumentException(metrics.size() + " metrics were given for a model with " + names.size()
                    + " outputs " + names + ": give one metric per output, or per-output lists with"
                    + " OutputLosses.metrics");
        }
        List<List<Metric>> perOutput = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            perOutput.add(metrics.isEmpty() ? List.of() : List.of(metrics.get(k)));
        }
        float[] ones = new float[names.size()];
        Arrays.fill(ones, 1f);
        return new OutputScoring(names, Collections.nCopies(names.size(), loss), ones, perOutput);
    }

    int count() {
        return names.size();
    }
}
