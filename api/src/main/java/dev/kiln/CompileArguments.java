package dev.kiln;

import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.Optimizers;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns what the typed {@code compile} overloads of {@link Sequential} and {@link Model} take (names or
 * objects) into an optimizer, a loss and metrics, refusing nulls with a message that names the argument.
 */
final class CompileArguments {
    private CompileArguments() {
    }

    static Optimizer optimizer(String name) {
        if (name == null) {
            throw new IllegalArgumentException("optimizer is null; expected a name such as 'adam' or an Optimizer");
        }
        return Optimizers.resolve(name);
    }

    static Loss loss(String name) {
        if (name == null) {
            throw new IllegalArgumentException("loss is null; expected a name such as 'mse' or a Loss");
        }
        return Losses.resolve(name);
    }

    static List<Metric> metrics(String... names) {
        List<Metric> out = new ArrayList<>();
        for (String name : names == null ? new String[0] : names) {
            if (name == null) {
                throw new IllegalArgumentException("metric is null; expected a name such as 'accuracy'");
            }
            out.add(Metrics.resolve(name));
        }
        return out;
    }

    static List<Metric> metrics(Metric... metrics) {
        List<Metric> out = new ArrayList<>();
        for (Metric m : metrics == null ? new Metric[0] : metrics) {
            if (m == null) {
                throw new IllegalArgumentException("metric is null; expected a Metric such as new Precision(), or a name");
            }
            out.add(m);
        }
        return out;
    }

    static void requireNonNull(Optimizer optimizer, Loss loss) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer is null; expected a name such as 'adam' or an Optimizer");
        }
        if (loss == null) {
            throw new IllegalArgumentException("loss is null; expected a name such as 'mse' or a Loss");
        }
    }
}
