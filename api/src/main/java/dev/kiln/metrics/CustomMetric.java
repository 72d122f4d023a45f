package dev.kiln.metrics;

import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.ExpressionLoss;
import dev.kiln.core.runtime.LossMean;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.losses.Loss;
import dev.kiln.ops.LossExpression;

/**
 * A metric the user writes with {@link dev.kiln.ops.Ops}, made by {@link Metrics#custom}: the mean over
 * an epoch of the function's per-sample values (Keras' {@code MeanMetricWrapper}), reported in History
 * under its name. Saved by its registered name ({@code "Custom>my_metric"}); a program that loads the model
 * registers it first with {@code Kiln.registerCustomObject}.
 *
 * <pre>{@code
 * CustomMetric within = Metrics.custom("within_10pct",
 *         (yTrue, yPred) -> Ops.mean(Ops.lessEqual(Ops.abs(Ops.subtract(yPred, yTrue)), 0.1), -1));
 * }</pre>
 */
public final class CustomMetric extends Metric {
    private final String registeredName;
    private final LossExpression function;
    private final Expr expression;

    CustomMetric(String registeredName, LossExpression function, Expr expression) {
        super(CustomObjectRegistry.shortName(registeredName));
        this.registeredName = registeredName;
        this.function = function;
        this.expression = expression;
    }

    static CustomMetric of(String name, LossExpression function) {
        String registered = CustomObjectRegistry.registeredName(name);
        if (function == null) {
            throw new IllegalArgumentException("custom metric '" + name + "' needs a function (yTrue, yPred) -> ..., "
                    + "got null");
        }
        Expr expression = function.trace();
        if (expression.extent() == Expr.Extent.SCALAR) {
            throw new IllegalArgumentException("custom metric '" + name + "' returns a constant; it must compute "
                    + "from yTrue and yPred");
        }
        return new CustomMetric(registered, function, expression);
    }

    /** The name it is saved and registered by, {@code "package>name"}. */
    public String registeredName() {
        return registeredName;
    }

    /** The function this metric was made from. */
    public LossExpression metricFunction() {
        return function;
    }

    @Override
    public MetricReduction reductionFor(int outputWidth, Loss loss) {
        return new LossMean(new ExpressionLoss(expression));
    }

    @Override
    public String incompatibility(Loss loss) {
        return loss.sparseTargets() ? "metric '" + name() + "' reads targets as wide as the output but loss '"
                + loss.name() + "' takes class indices" : null;
    }
}
