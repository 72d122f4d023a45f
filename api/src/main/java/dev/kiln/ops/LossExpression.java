package dev.kiln.ops;

import dev.kiln.core.expr.Expr;

/**
 * A loss or metric written with {@link Ops}, as Keras' {@code fn(y_true, y_pred)}: it returns one value
 * per sample (a reduction over the last axis, {@code Ops.mean(..., -1)}) or a tensor as wide as the
 * output, whose per-sample value is then its mean over the last axis.
 *
 * <pre>{@code
 * LossExpression mae = (yTrue, yPred) -> Ops.mean(Ops.abs(Ops.subtract(yPred, yTrue)), -1);
 * }</pre>
 */
@FunctionalInterface
public interface LossExpression {
    Symbol call(Symbol yTrue, Symbol yPred);

    /** Runs the function once on symbolic inputs and returns what it records. */
    default Expr trace() {
        Symbol result = call(Symbol.of(Expr.TARGET), Symbol.of(Expr.OUTPUT));
        if (result == null) {
            throw new IllegalArgumentException("the function returned null; expected a Symbol computed with "
                    + "Ops from yTrue and yPred");
        }
        return result.expression();
    }
}
