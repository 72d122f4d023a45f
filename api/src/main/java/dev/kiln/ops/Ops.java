package dev.kiln.ops;

import dev.kiln.core.expr.BinaryOp;
import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.RowReduction;
import dev.kiln.core.expr.UnaryOp;

/**
 * Keras' {@code keras.ops} for the functions users write themselves: losses and metrics
 * ({@code Losses.custom}, {@code Metrics.custom}). Each op records itself on {@link SymbolicTensor}s with
 * its gradient rule, so a loss written here trains by automatic differentiation through the same
 * {@code fit}. Tensors are a batch of rows {@code (batch, features)}: elementwise ops broadcast a
 * per-sample value or a number over the features, and reductions ({@link #sum}, {@link #mean},
 * {@link #max}) and {@link #softmax} work over the last axis ({@code axis = -1}), as a Keras loss does.
 *
 * <pre>{@code
 * Loss huber = Losses.custom("my_huber", (yTrue, yPred) -> {
 *     SymbolicTensor error = Ops.subtract(yPred, yTrue);
 *     SymbolicTensor small = Ops.lessEqual(Ops.abs(error), 1.0);
 *     return Ops.mean(Ops.where(small, Ops.multiply(0.5, Ops.square(error)), Ops.subtract(Ops.abs(error), 0.5)),
 *             -1);
 * });
 * }</pre>
 */
public final class Ops {
    private Ops() {
    }

    /** A number, broadcast over every sample and feature. */
    public static SymbolicTensor constant(double value) {
        return SymbolicTensor.of(Expr.constant((float) value));
    }

    public static SymbolicTensor add(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.ADD, a, b);
    }

    public static SymbolicTensor add(SymbolicTensor a, double b) {
        return add(a, constant(b));
    }

    public static SymbolicTensor add(double a, SymbolicTensor b) {
        return add(constant(a), b);
    }

    public static SymbolicTensor subtract(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.SUBTRACT, a, b);
    }

    public static SymbolicTensor subtract(SymbolicTensor a, double b) {
        return subtract(a, constant(b));
    }

    public static SymbolicTensor subtract(double a, SymbolicTensor b) {
        return subtract(constant(a), b);
    }

    public static SymbolicTensor multiply(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.MULTIPLY, a, b);
    }

    public static SymbolicTensor multiply(SymbolicTensor a, double b) {
        return multiply(a, constant(b));
    }

    public static SymbolicTensor multiply(double a, SymbolicTensor b) {
        return multiply(constant(a), b);
    }

    public static SymbolicTensor divide(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.DIVIDE, a, b);
    }

    public static SymbolicTensor divide(SymbolicTensor a, double b) {
        return divide(a, constant(b));
    }

    public static SymbolicTensor divide(double a, SymbolicTensor b) {
        return divide(constant(a), b);
    }

    /** a to the power b; its gradient with respect to b is taken where a is positive. */
    public static SymbolicTensor power(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.POWER, a, b);
    }

    public static SymbolicTensor power(SymbolicTensor a, double b) {
        return power(a, constant(b));
    }

    /** The larger of a and b; where they are equal each gets half the gradient, as in JAX. */
    public static SymbolicTensor maximum(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.MAXIMUM, a, b);
    }

    public static SymbolicTensor maximum(SymbolicTensor a, double b) {
        return maximum(a, constant(b));
    }

    public static SymbolicTensor minimum(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.MINIMUM, a, b);
    }

    public static SymbolicTensor minimum(SymbolicTensor a, double b) {
        return minimum(a, constant(b));
    }

    /** x limited to [min, max], as {@code keras.ops.clip}. */
    public static SymbolicTensor clip(SymbolicTensor x, double min, double max) {
        if (!(min <= max)) {
            throw new IllegalArgumentException("clip needs min <= max, got min " + min + " and max " + max);
        }
        return minimum(maximum(x, min), max);
    }

    public static SymbolicTensor negative(SymbolicTensor x) {
        return unary(UnaryOp.NEGATIVE, x);
    }

    public static SymbolicTensor square(SymbolicTensor x) {
        return unary(UnaryOp.SQUARE, x);
    }

    public static SymbolicTensor sqrt(SymbolicTensor x) {
        return unary(UnaryOp.SQRT, x);
    }

    /** |x|; its gradient at 0 is 0. */
    public static SymbolicTensor abs(SymbolicTensor x) {
        return unary(UnaryOp.ABS, x);
    }

    public static SymbolicTensor exp(SymbolicTensor x) {
        return unary(UnaryOp.EXP, x);
    }

    /** The natural logarithm; clip first where x may reach 0 ({@code Ops.log(Ops.clip(p, 1e-7, 1))}). */
    public static SymbolicTensor log(SymbolicTensor x) {
        return unary(UnaryOp.LOG, x);
    }

    public static SymbolicTensor log1p(SymbolicTensor x) {
        return unary(UnaryOp.LOG1P, x);
    }

    public static SymbolicTensor relu(SymbolicTensor x) {
        return unary(UnaryOp.RELU, x);
    }

    public static SymbolicTensor sigmoid(SymbolicTensor x) {
        return unary(UnaryOp.SIGMOID, x);
    }

    public static SymbolicTensor tanh(SymbolicTensor x) {
        return unary(UnaryOp.TANH, x);
    }

    /** log(1 + eˣ), computed without overflow. */
    public static SymbolicTensor softplus(SymbolicTensor x) {
        return unary(UnaryOp.SOFTPLUS, x);
    }

    /** 1 where a > b, else 0; comparisons pass no gradient. */
    public static SymbolicTensor greater(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.GREATER, a, b);
    }

    public static SymbolicTensor greater(SymbolicTensor a, double b) {
        return greater(a, constant(b));
    }

    public static SymbolicTensor greaterEqual(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.GREATER_EQUAL, a, b);
    }

    public static SymbolicTensor greaterEqual(SymbolicTensor a, double b) {
        return greaterEqual(a, constant(b));
    }

    public static SymbolicTensor less(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.LESS, a, b);
    }

    public static SymbolicTensor less(SymbolicTensor a, double b) {
        return less(a, constant(b));
    }

    public static SymbolicTensor lessEqual(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.LESS_EQUAL, a, b);
    }

    public static SymbolicTensor lessEqual(SymbolicTensor a, double b) {
        return lessEqual(a, constant(b));
    }

    public static SymbolicTensor equal(SymbolicTensor a, SymbolicTensor b) {
        return binary(BinaryOp.EQUAL, a, b);
    }

    public static SymbolicTensor equal(SymbolicTensor a, double b) {
        return equal(a, constant(b));
    }

    /** {@code whenTrue} where {@code condition} is non-zero (a comparison's 1), else {@code whenFalse}. */
    public static SymbolicTensor where(SymbolicTensor condition, SymbolicTensor whenTrue, SymbolicTensor whenFalse) {
        requireTensors(condition, whenTrue, whenFalse);
        return SymbolicTensor.of(Expr.where(condition.expression(), whenTrue.expression(), whenFalse.expression()));
    }

    /** The sum over {@code axis}, which must be the last one (-1 or 1): one value per sample. */
    public static SymbolicTensor sum(SymbolicTensor x, int axis) {
        return reduce(RowReduction.SUM, x, axis, "sum");
    }

    /** The mean over {@code axis}, which must be the last one (-1 or 1): one value per sample. */
    public static SymbolicTensor mean(SymbolicTensor x, int axis) {
        return reduce(RowReduction.MEAN, x, axis, "mean");
    }

    /** The largest value over {@code axis}, the last one (-1 or 1); its gradient goes to the first largest. */
    public static SymbolicTensor max(SymbolicTensor x, int axis) {
        return reduce(RowReduction.MAX, x, axis, "max");
    }

    /** Softmax over the last axis. */
    public static SymbolicTensor softmax(SymbolicTensor x) {
        return softmax(x, -1);
    }

    /** Softmax over {@code axis}, which must be the last one (-1 or 1). */
    public static SymbolicTensor softmax(SymbolicTensor x, int axis) {
        requireTensors(x);
        requireLastAxis(axis, "softmax");
        return SymbolicTensor.of(Expr.softmax(x.expression()));
    }

    private static SymbolicTensor reduce(RowReduction reduction, SymbolicTensor x, int axis, String op) {
        requireTensors(x);
        requireLastAxis(axis, op);
        return SymbolicTensor.of(Expr.reduce(reduction, x.expression()));
    }

    private static void requireLastAxis(int axis, String op) {
        if (axis != -1 && axis != 1) {
            throw new IllegalArgumentException(op + " over axis " + axis + " is not supported; a loss or metric "
                    + "works over the last axis of its (batch, features) tensors: pass axis -1");
        }
    }

    private static SymbolicTensor unary(UnaryOp op, SymbolicTensor x) {
        requireTensors(x);
        return SymbolicTensor.of(Expr.unary(op, x.expression()));
    }

    private static SymbolicTensor binary(BinaryOp op, SymbolicTensor a, SymbolicTensor b) {
        requireTensors(a, b);
        return SymbolicTensor.of(Expr.binary(op, a.expression(), b.expression()));
    }

    private static void requireTensors(SymbolicTensor... tensors) {
        for (SymbolicTensor t : tensors) {
            if (t == null) {
                throw new IllegalArgumentException("an op got a null tensor; expected yTrue, yPred or a tensor "
                        + "computed from them with Ops");
            }
        }
    }
}
