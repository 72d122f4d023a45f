package dev.kiln.core.expr;

import java.util.List;

/**
 * A symbolic expression over a batch of (target, output) rows of one width: what a user's loss or metric
 * computes, recorded op by op so that {@link ExprProgram} can evaluate it and its gradient. Each value
 * is one of three extents: a {@link Extent#SCALAR} (a constant), {@link Extent#PER_ROW} (one value per
 * sample, after a reduction over the last axis) or {@link Extent#ELEMENT} (as wide as the rows).
 * Elementwise ops broadcast a smaller extent over a larger one.
 *
 * <pre>{@code
 * Expr error = Expr.binary(BinaryOp.SUBTRACT, Expr.TARGET, Expr.OUTPUT);
 * Expr mse = Expr.reduce(RowReduction.MEAN, Expr.unary(UnaryOp.SQUARE, error));
 * }</pre>
 */
public final class Expr {
    /** How many values an expression has per row. */
    public enum Extent { SCALAR, PER_ROW, ELEMENT }

    enum Kind { TARGET, OUTPUT, CONSTANT, UNARY, BINARY, REDUCE, SOFTMAX, WHERE }

    /** The targets (Keras' y_true). */
    public static final Expr TARGET = new Expr(Kind.TARGET, Extent.ELEMENT, List.of(), null, null, null, 0f);
    /** The model's output (Keras' y_pred): the expression's gradient is taken with respect to it. */
    public static final Expr OUTPUT = new Expr(Kind.OUTPUT, Extent.ELEMENT, List.of(), null, null, null, 0f);

    final Kind kind;
    final Extent extent;
    final List<Expr> inputs;
    final UnaryOp unary;
    final BinaryOp binary;
    final RowReduction reduction;
    final float constant;

    private Expr(Kind kind, Extent extent, List<Expr> inputs, UnaryOp unary, BinaryOp binary,
            RowReduction reduction, float constant) {
        this.kind = kind;
        this.extent = extent;
        this.inputs = inputs;
        this.unary = unary;
        this.binary = binary;
        this.reduction = reduction;
        this.constant = constant;
    }

    public static Expr constant(float value) {
        return new Expr(Kind.CONSTANT, Extent.SCALAR, List.of(), null, null, null, value);
    }

    public static Expr unary(UnaryOp op, Expr x) {
        return new Expr(Kind.UNARY, x.extent, List.of(x), op, null, null, 0f);
    }

    public static Expr binary(BinaryOp op, Expr a, Expr b) {
        return new Expr(Kind.BINARY, larger(a.extent, b.extent), List.of(a, b), null, op, null, 0f);
    }

    /** One value per row; a per-row value is reduced over its single element. */
    public static Expr reduce(RowReduction reduction, Expr x) {
        if (x.extent == Extent.SCALAR) {
            throw new IllegalArgumentException("cannot reduce a constant over the last axis; reduce a tensor");
        }
        return new Expr(Kind.REDUCE, Extent.PER_ROW, List.of(x), null, null, reduction, 0f);
    }

    /** Softmax over the last axis of a row-wide value. */
    public static Expr softmax(Expr x) {
        if (x.extent != Extent.ELEMENT) {
            throw new IllegalArgumentException("softmax needs a value as wide as the rows, got a " + x.extent
                    + " value");
        }
        return new Expr(Kind.SOFTMAX, Extent.ELEMENT, List.of(x), null, null, null, 0f);
    }

    /** {@code whenTrue} where {@code condition} is non-zero, else {@code whenFalse}. */
    public static Expr where(Expr condition, Expr whenTrue, Expr whenFalse) {
        Extent extent = larger(condition.extent, larger(whenTrue.extent, whenFalse.extent));
        return new Expr(Kind.WHERE, extent, List.of(condition, whenTrue, whenFalse), null, null, null, 0f);
    }

    public Extent extent() {
        return extent;
    }

    private static Extent larger(Extent a, Extent b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public String toString() {
        return switch (kind) {
            case TARGET -> "y_true";
            case OUTPUT -> "y_pred";
            case CONSTANT -> Float.toString(constant);
            case UNARY -> unary.name().toLowerCase() + inputs;
            case BINARY -> binary.name().toLowerCase() + inputs;
            case REDUCE -> reduction.name().toLowerCase() + inputs;
            case SOFTMAX -> "softmax" + inputs;
            case WHERE -> "where" + inputs;
        };
    }
}
