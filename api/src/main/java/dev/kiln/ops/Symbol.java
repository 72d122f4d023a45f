package dev.kiln.ops;

import dev.kiln.core.expr.Expr;

/**
 * A tensor of a batch that a loss or metric function receives and returns: it holds no numbers, it
 * records what {@link Ops} compute from {@code yTrue} and {@code yPred}, so that Kiln can evaluate the
 * function over every batch and differentiate it. Its rows are the batch's samples; a reduction over the
 * last axis leaves one value per sample, and constants broadcast.
 *
 * <pre>{@code
 * LossExpression mse = (yTrue, yPred) -> Ops.mean(Ops.square(Ops.subtract(yTrue, yPred)), -1);
 * }</pre>
 */
public final class Symbol {
    private final Expr expression;

    private Symbol(Expr expression) {
        this.expression = expression;
    }

    /** The tensor of an engine expression (how Kiln hands a function its yTrue and yPred). */
    public static Symbol of(Expr expression) {
        return new Symbol(expression);
    }

    /** The engine's form of what this tensor computes. */
    public Expr expression() {
        return expression;
    }

    /** True when the tensor has one value per sample (after a reduction over the last axis). */
    public boolean isPerSample() {
        return expression.extent() == Expr.Extent.PER_ROW;
    }

    @Override
    public String toString() {
        return expression.toString();
    }
}
