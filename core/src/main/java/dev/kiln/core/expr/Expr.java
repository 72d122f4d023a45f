package dev.kiln.core.expr;

import dev.kiln.core.runtime.Parameter;
import java.util.List;

/**
 * A symbolic expression over a batch of (target, output) rows of one width: what a user's loss or metric
 * computes, recorded op by op so that {@link ExprProgram} can evaluate it and its gradient. Each value
 * is one of three extents: a {@link Extent#SCALAR} (a constant), {@link Extent#PER_ROW} (one value per
 * sample, after a reduction over the last axis) or {@link Extent#ELEMENT} (as wide as the rows).
 * Elementwise ops broadcast a smaller extent over a larger one.
 *
 * <p>A layer's expression ({@link ExprProgram#forward}) reads the layer's {@link #input} rows instead of
 * targets and outputs, and its weights: a {@link Extent#VECTOR} (one value per column, the same for every
 * row: a bias, a scale) or a {@link Extent#MATRIX} that only {@link #matmul} reads (a kernel). Its widths
 * are known when it is built; a loss's rows have the width of the model's output, known only when it runs.
 *
 * <pre>{@code
 * Expr error = Expr.binary(BinaryOp.SUBTRACT, Expr.TARGET, Expr.OUTPUT);
 * Expr mse = Expr.reduce(RowReduction.MEAN, Expr.unary(UnaryOp.SQUARE, error));
 * }</pre>
 */
public final class Expr {
    /** How many values an expression has per row. */
    public enum Extent { SCALAR, VECTOR, PER_ROW, ELEMENT, MATRIX }

    enum Kind { TARGET, OUTPUT, CONSTANT, UNARY, BINARY, REDUCE, SOFTMAX, WHERE, INPUT, WEIGHT, MATMUL }

    /** Columns of a row-wide value whose width is the rows' width, known only when a loss runs. */
    static final int ROW_WIDTH = -1;

    /** The targets (Keras' y_true). */
    public static final Expr TARGET = new Expr(Kind.TARGET, Extent.ELEMENT, ROW_WIDTH, List.of(), null, null, null, 0f,
            null);
    /** The model's output (Keras' y_pred): the expression's gradient is taken with respect to it. */
    public static final Expr OUTPUT = new Expr(Kind.OUTPUT, Extent.ELEMENT, ROW_WIDTH, List.of(), null, null, null, 0f,
            null);

    final Kind kind;
    final Extent extent;
    /** Values per row: 1 for a scalar or per-row value, the width of a vector, all elements of a matrix. */
    final int columns;
    final List<Expr> inputs;
    final UnaryOp unary;
    final BinaryOp binary;
    final RowReduction reduction;
    final float constant;
    final Parameter weight;

    private Expr(Kind kind, Extent extent, int columns, List<Expr> inputs, UnaryOp unary, BinaryOp binary,
            RowReduction reduction, float constant, Parameter weight) {
        this.kind = kind;
        this.extent = extent;
        this.columns = columns;
        this.weight = weight;
        this.inputs = inputs;
        this.unary = unary;
        this.binary = binary;
        this.reduction = reduction;
        this.constant = constant;
    }

    public static Expr constant(float value) {
        return new Expr(Kind.CONSTANT, Extent.SCALAR, 1, List.of(), null, null, null, value, null);
    }

    /** A layer's input: rows of {@code width} features. */
    public static Expr input(int width) {
        if (width < 1) {
            throw new IllegalArgumentException("a layer input needs at least one feature, got " + width);
        }
        return new Expr(Kind.INPUT, Extent.ELEMENT, width, List.of(), null, null, null, 0f, null);
    }

    /**
     * A layer's weight: of shape {@code []} or {@code [n]} it is a {@link Extent#VECTOR} broadcast over the
     * rows; of shape {@code [in, units]} a {@link Extent#MATRIX} for {@link #matmul}.
     */
    public static Expr weight(Parameter weight) {
        int[] shape = weight.shape();
        if (shape.length > 2) {
            throw new IllegalArgumentException("a layer weight has rank 0, 1 or 2, got " + weight);
        }
        Extent extent = shape.length == 2 ? Extent.MATRIX : Extent.VECTOR;
        return new Expr(Kind.WEIGHT, extent, (int) weight.size(), List.of(), null, null, null, 0f, weight);
    }

    /** The rows of {@code x} times the matrix weight {@code kernel}: y = x·W, rows of W's columns. */
    public static Expr matmul(Expr x, Expr kernel) {
        if (kernel.extent != Extent.MATRIX) {
            throw new IllegalArgumentException("matmul multiplies by a weight of shape [in, units], got " + kernel);
        }
        int[] shape = kernel.weight.shape();
        if (x.extent != Extent.ELEMENT || x.columns != shape[0]) {
            throw new IllegalArgumentException("matmul by " + kernel.weight + " needs rows of " + shape[0]
                    + " features, got " + describeWidth(x));
        }
        return new Expr(Kind.MATMUL, Extent.ELEMENT, shape[1], List.of(x, kernel), null, null, null, 0f, null);
    }

    public static Expr unary(UnaryOp op, Expr x) {
        requireNotMatrix(x);
        return new Expr(Kind.UNARY, x.extent, x.columns, List.of(x), op, null, null, 0f, null);
    }

    public static Expr binary(BinaryOp op, Expr a, Expr b) {
        Extent extent = combined(a, b);
        return new Expr(Kind.BINARY, extent, broadcastColumns(extent, a, b), List.of(a, b), null, op, null, 0f, null);
    }

    /** One value per row; a per-row value is reduced over its single element. */
    public static Expr reduce(RowReduction reduction, Expr x) {
        if (x.extent != Extent.ELEMENT && x.extent != Extent.PER_ROW) {
            String what = x.extent == Extent.SCALAR ? "a constant" : "the weight " + x;
            throw new IllegalArgumentException("cannot reduce " + what + " over the last axis; reduce a tensor of "
                    + "the batch's rows");
        }
        return new Expr(Kind.REDUCE, Extent.PER_ROW, 1, List.of(x), null, null, reduction, 0f, null);
    }

    /** Softmax over the last axis of a row-wide value. */
    public static Expr softmax(Expr x) {
        if (x.extent != Extent.ELEMENT) {
            throw new IllegalArgumentException("softmax needs a value as wide as the rows, got a " + x.extent
                    + " value");
        }
        return new Expr(Kind.SOFTMAX, Extent.ELEMENT, x.columns, List.of(x), null, null, null, 0f, null);
    }

    /** {@code whenTrue} where {@code condition} is non-zero, else {@code whenFalse}. */
    public static Expr where(Expr condition, Expr whenTrue, Expr whenFalse) {
        Extent extent = combined(condition, whenTrue, whenFalse);
        int columns = broadcastColumns(extent, condition, whenTrue, whenFalse);
        return new Expr(Kind.WHERE, extent, columns, List.of(condition, whenTrue, whenFalse), null, null, null, 0f,
                null);
    }

    public Extent extent() {
        return extent;
    }

    /** Values per row of a row-wide value or a vector, or -1 when it is as wide as a loss's rows. */
    public int columns() {
        return columns;
    }

    /** The extent of an elementwise op's result: a vector broadcast over per-row values fills whole rows. */
    private static Extent combined(Expr... operands) {
        Extent extent = Extent.SCALAR;
        for (Expr e : operands) {
            requireNotMatrix(e);
            boolean vectorOverRows = extent == Extent.VECTOR && e.extent == Extent.PER_ROW
                    || extent == Extent.PER_ROW && e.extent == Extent.VECTOR;
            extent = vectorOverRows ? Extent.ELEMENT : e.extent.compareTo(extent) > 0 ? e.extent : extent;
        }
        return extent;
    }

    /**
     * The columns of an elementwise result: those of its widest operand; every other row-wide or vector
     * operand must have as many, or one (which broadcasts).
     */
    private static int broadcastColumns(Extent extent, Expr... operands) {
        if (extent == Extent.SCALAR || extent == Extent.PER_ROW) {
            return 1;
        }
        Expr widest = null;
        for (Expr e : operands) {
            if (e.columns == ROW_WIDTH) {
                return ROW_WIDTH; // a loss's values: all of the rows' one width
            }
            boolean sized = e.extent == Extent.ELEMENT || e.extent == Extent.VECTOR;
            if (sized && e.columns != 1) {
                if (widest != null && widest.columns != e.columns) {
                    throw new IllegalArgumentException("cannot broadcast " + describeWidth(widest) + " against "
                            + describeWidth(e) + "; their last axes must match, or one be 1");
                }
                widest = e;
            }
        }
        return widest == null ? 1 : widest.columns;
    }

    private static void requireNotMatrix(Expr x) {
        if (x.extent == Extent.MATRIX) {
            throw new IllegalArgumentException("the weight " + x.weight + " has shape [in, units]; use it in "
                    + "matmul(x, weight), not elementwise");
        }
    }

    private static String describeWidth(Expr x) {
        return switch (x.extent) {
            case ELEMENT -> x.columns == ROW_WIDTH ? "rows of the output's width" : "rows of " + x.columns + " features";
            case VECTOR -> "a weight of " + x.columns + " values";
            default -> "a " + x.extent.name().toLowerCase().replace('_', '-') + " value";
        };
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
            case INPUT -> "inputs";
            case WEIGHT -> weight.name();
            case MATMUL -> "matmul" + inputs;
        };
    }
}
