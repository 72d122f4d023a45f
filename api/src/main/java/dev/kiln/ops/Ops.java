package dev.kiln.ops;

import dev.kiln.core.expr.BinaryOp;
import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.RowReduction;
import dev.kiln.core.expr.UnaryOp;

/**
 * Keras' {@code keras.ops} for the functions users write themselves: losses and metrics
 * ({@code Losses.custom}, {@code Metrics.custom}). Each op records itself on {@link Symbol}s with
 * its gradient rule, so a loss written here trains by automatic differentiation through the same
 * {@code fit}, and so does a layer's {@code call} ({@code Layers.custom}), whose weights are tensors too:
 * {@link #matmul} multiplies the rows by a kernel, and a weight of one value per feature broadcasts over
 * the rows. Tensors are a batch of rows {@code (batch, features)}: elementwise ops broadcast a
 * per-sample value or a number over the features, and reductions ({@link #sum}, {@link #mean},
 * {@link #max}) and {@link #softmax} work over the last axis ({@code axis = -1}), as a Keras loss does.
 *
 * <pre>{@code
 * Loss huber = Losses.custom("my_huber", (yTrue, yPred) -> {
 *     Symbol error = Ops.subtract(yPred, yTrue);
 *     Symbol small = Ops.lessEqual(Ops.abs(error), 1.0);
 *     return Ops.mean(Ops.where(small, Ops.multiply(0.5, Ops.square(error)), Ops.subtract(Ops.abs(error), 0.5)),
 *             -1);
 * });
 * }</pre>
 */
public final class Ops {
    private Ops() {
    }

    /** A number, broadcast over every sample and feature. */
    public static Symbol constant(double value) {
        return Symbol.of(Expr.constant((float) value));
    }

    public static Symbol add(Symbol a, Symbol b) {
        return binary(BinaryOp.ADD, a, b);
    }

    public static Symbol add(Symbol a, double b) {
        return add(a, constant(b));
    }

    public static Symbol add(double a, Symbol b) {
        return add(constant(a), b);
    }

    public static Symbol subtract(Symbol a, Symbol b) {
        return binary(BinaryOp.SUBTRACT, a, b);
    }

    public static Symbol subtract(Symbol a, double b) {
        return subtract(a, constant(b));
    }

    public static Symbol subtract(double a, Symbol b) {
        return subtract(constant(a), b);
    }

    public static Symbol multiply(Symbol a, Symbol b) {
        return binary(BinaryOp.MULTIPLY, a, b);
    }

    public static Symbol multiply(Symbol a, double b) {
        return multiply(a, constant(b));
    }

    public static Symbol multiply(double a, Symbol b) {
        return multiply(constant(a), b);
    }

    public static Symbol divide(Symbol a, Symbol b) {
        return binary(BinaryOp.DIVIDE, a, b);
    }

    public static Symbol divide(Symbol a, double b) {
        return divide(a, constant(b));
    }

    public static Symbol divide(double a, Symbol b) {
        return divide(constant(a), b);
    }

    /** a to the power b; its gradient with respect to b is taken where a is positive. */
    public static Symbol power(Symbol a, Symbol b) {
        return binary(BinaryOp.POWER, a, b);
    }

    public static Symbol power(Symbol a, double b) {
        return power(a, constant(b));
    }

    /** The larger of a and b; where they are equal each gets half the gradient, as in JAX. */
    public static Symbol maximum(Symbol a, Symbol b) {
        return binary(BinaryOp.MAXIMUM, a, b);
    }

    public static Symbol maximum(Symbol a, double b) {
        return maximum(a, constant(b));
    }

    public static Symbol minimum(Symbol a, Symbol b) {
        return binary(BinaryOp.MINIMUM, a, b);
    }

    public static Symbol minimum(Symbol a, double b) {
        return minimum(a, constant(b));
    }

    /** x limited to [min, max], as {@code keras.ops.clip}. */
    public static Symbol clip(Symbol x, double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clip needs min <= max, got min " + min + " and max " + max);
        }
        return minimum(maximum(x, min), max);
    }

    public static Symbol negative(Symbol x) {
        return unary(UnaryOp.NEGATIVE, x);
    }

    public static Symbol square(Symbol x) {
        return unary(UnaryOp.SQUARE, x);
    }

    public static Symbol sqrt(Symbol x) {
        return unary(UnaryOp.SQRT, x);
    }

    /** |x|; its gradient at 0 is 0. */
    public static Symbol abs(Symbol x) {
        return unary(UnaryOp.ABS, x);
    }

    public static Symbol exp(Symbol x) {
        return unary(UnaryOp.EXP, x);
    }

    /** The natural logarithm; clip first where x may reach 0 ({@code Ops.log(Ops.clip(p, 1e-7, 1))}). */
    public static Symbol log(Symbol x) {
        return unary(UnaryOp.LOG, x);
    }

    public static Symbol log1p(Symbol x) {
        return unary(UnaryOp.LOG1P, x);
    }

    public static Symbol relu(Symbol x) {
        return unary(UnaryOp.RELU, x);
    }

    public static Symbol sigmoid(Symbol x) {
        return unary(UnaryOp.SIGMOID, x);
    }

    public static Symbol tanh(Symbol x) {
        return unary(UnaryOp.TANH, x);
    }

    /** log(1 + eˣ), computed without overflow. */
    public static Symbol softplus(Symbol x) {
        return unary(UnaryOp.SOFTPLUS, x);
    }

    /** 1 where a > b, else 0; comparisons pass no gradient. */
    public static Symbol greater(Symbol a, Symbol b) {
        return binary(BinaryOp.GREATER, a, b);
    }

    public static Symbol greater(Symbol a, double b) {
        return greater(a, constant(b));
    }

    public static Symbol greaterEqual(Symbol a, Symbol b) {
        return binary(BinaryOp.GREATER_EQUAL, a, b);
    }

    public static Symbol greaterEqual(Symbol a, double b) {
        return greaterEqual(a, constant(b));
    }

    public static Symbol less(Symbol a, Symbol b) {
        return binary(BinaryOp.LESS, a, b);
    }

    public static Symbol less(Symbol a, double b) {
        return less(a, constant(b));
    }

    public static Symbol lessEqual(Symbol a, Symbol b) {
        return binary(BinaryOp.LESS_EQUAL, a, b);
    }

    public static Symbol lessEqual(Symbol a, double b) {
        return lessEqual(a, constant(b));
    }

    public static Symbol equal(Symbol a, Symbol b) {
        return binary(BinaryOp.EQUAL, a, b);
    }

    public static Symbol equal(Symbol a, double b) {
        return equal(a, constant(b));
    }

    /** {@code whenTrue} where {@code condition} is non-zero (a comparison's 1), else {@code whenFalse}. */
    public static Symbol where(Symbol condition, Symbol whenTrue, Symbol whenFalse) {
        requireTensors(condition, whenTrue, whenFalse);
        return Symbol.of(Expr.where(condition.expression(), whenTrue.expression(), whenFalse.expression()));
    }

    /** The sum over {@code axis}, which must be the last one (-1 or 1): one value per sample. */
    public static Symbol sum(Symbol x, int axis) {
        return reduce(RowReduction.SUM, x, axis, "sum");
    }

    /** The mean over {@code axis}, which must be the last one (-1 or 1): one value per sample. */
    public static Symbol mean(Symbol x, int axis) {
        return reduce(RowReduction.MEAN, x, axis, "mean");
    }

    /** The largest value over {@code axis}, the last one (-1 or 1); its gradient goes to the first largest. */
    public static Symbol max(Symbol x, int axis) {
        return reduce(RowReduction.MAX, x, axis, "max");
    }

    /**
     * The rows of {@code x} times the layer weight {@code kernel} of shape {@code [features, units]}, as
     * {@code keras.ops.matmul(x, kernel)}: rows of {@code units} values.
     */
    public static Symbol matmul(Symbol x, Symbol kernel) {
        requireTensors(x, kernel);
        return Symbol.of(Expr.matmul(x.expression(), kernel.expression()));
    }

    /** Softmax over the last axis. */
    public static Symbol softmax(Symbol x) {
        return softmax(x, -1);
    }

    /** Softmax over {@code axis}, which must be the last one (-1 or 1). */
    public static Symbol softmax(Symbol x, int axis) {
        requireTensors(x);
        requireLastAxis(axis, "softmax");
        return Symbol.of(Expr.softmax(x.expression()));
    }

    private static Symbol reduce(RowReduction reduction, Symbol x, int axis, String op) {
        requireTensors(x);
        requireLastAxis(axis, op);
        return Symbol.of(Expr.reduce(reduction, x.expression()));
    }

    private static void requireLastAxis(int axis, String op) {
        if (axis != -1 && axis != 1) {
            throw new IllegalArgumentException(op + " over axis " + axis + " is not supported; a loss or metric "
                    + "works over the last axis of its (batch, features) tensors: pass axis -1");
        }
    }

    private static Symbol unary(UnaryOp op, Symbol x) {
        requireTensors(x);
        return Symbol.of(Expr.unary(op, x.expression()));
    }

    private static Symbol binary(BinaryOp op, Symbol a, Symbol b) {
        requireTensors(a, b);
        return Symbol.of(Expr.binary(op, a.expression(), b.expression()));
    }

    private static void requireTensors(Symbol... tensors) {
        for (Symbol t : tensors) {
            if (t == null) {
                throw new IllegalArgumentException("an op got a null tensor; expected yTrue, yPred, a layer's "
                        + "inputs or weights, or a tensor computed from them with Ops");
            }
        }
    }
}
