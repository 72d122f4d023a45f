package dev.kiln.core.expr;

/**
 * A reduction of each row over its last axis to one value per row. Max sends its gradient to the first
 * largest element.
 *
 * <pre>{@code
 * Expr perSample = Expr.reduce(RowReduction.MEAN, Expr.unary(UnaryOp.SQUARE, error));
 * }</pre>
 */
public enum RowReduction {
    SUM, MEAN, MAX
}
