package dev.kiln.core.expr;

import dev.kiln.core.runtime.LossFunction;
import java.lang.foreign.MemorySegment;

/**
 * A loss written as an {@link Expr}: each row's value is the expression's per-sample value, and its
 * gradient with respect to the output comes from the expression's own derivatives. One instance per
 * compiled model (its program keeps buffers).
 *
 * <pre>{@code
 * LossFunction loss = new ExpressionLoss(Expr.reduce(RowReduction.MEAN,
 *         Expr.unary(UnaryOp.SQUARE, Expr.binary(BinaryOp.SUBTRACT, Expr.TARGET, Expr.OUTPUT))));
 * }</pre>
 */
public final class ExpressionLoss implements LossFunction {
    private final ExprProgram program;

    public ExpressionLoss(Expr expression) {
        this.program = new ExprProgram(expression);
    }

    @Override
    public double sum(MemorySegment output, MemorySegment target, MemorySegment gradient, int width, float gradScale,
            int rowFrom, int rowTo) {
        return program.sum(output, target, gradient, width, gradScale, rowFrom, rowTo);
    }
}
