package dev.kiln;

import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.Optimizers;
import java.util.ArrayList;
import java.util.List;

/** What {@code compile} was given, names resolved: the same rules for a Sequential and a functional model. */
record CompileArguments(Optimizer optimizer, Loss loss, List<Metric> metrics) {

    static CompileArguments resolve(Object optimizer, Object loss, Object... metrics) {
        Optimizer o = switch (optimizer) {
            case null -> throw new IllegalArgumentException("optimizer is null; expected a name such as 'adam' or an Optimizer");
            case String name -> Optimizers.resolve(name);
            case Optimizer given -> given;
            default -> throw new IllegalArgumentException("optimizer must be a name or an Optimizer, got "
                    + optimizer.getClass().getSimpleName());
        };
        Loss l = switch (loss) {
            case null -> throw new IllegalArgumentException("loss is null; expected a name such as 'mse' or a Loss");
            case String name -> Losses.resolve(name);
            case Loss given -> given;
            default -> throw new IllegalArgumentException("loss must be a name or a Loss, got "
                    + loss.getClass().getSimpleName());
        };
        List<Metric> ms = new ArrayList<>();
        for (Object m : metrics) {
            ms.add(switch (m) {
                case null -> throw new IllegalArgumentException("metric is null; expected a name such as 'accuracy'");
                case String name -> Metrics.resolve(name);
                case Metric given -> given;
                default -> throw new IllegalArgumentException("metric must be a name or a Metric, got "
                        + m.getClass().getSimpleName());
            });
        }
        return new CompileArguments(o, l, ms);
    }
}
