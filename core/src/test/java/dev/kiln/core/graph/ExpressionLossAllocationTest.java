package dev.kiln.core.graph;

import static dev.kiln.core.expr.Expr.OUTPUT;
import static dev.kiln.core.expr.Expr.TARGET;

import dev.kiln.core.expr.BinaryOp;
import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.ExpressionLoss;
import dev.kiln.core.expr.RowReduction;
import dev.kiln.core.expr.UnaryOp;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

/** A loss written as an expression allocates nothing per batch once its buffers have grown. */
class ExpressionLossAllocationTest {
    @Test
    void aLossStepOfAnExpressionAllocatesNothing() {
        Expr error = Expr.binary(BinaryOp.SUBTRACT, OUTPUT, TARGET);
        Expr loss = Expr.reduce(RowReduction.MEAN, Expr.where(Expr.binary(BinaryOp.LESS,
                Expr.unary(UnaryOp.ABS, error), Expr.constant(1f)), Expr.unary(UnaryOp.SQUARE, error),
                Expr.unary(UnaryOp.LOG, Expr.softmax(OUTPUT))));
        ExpressionLoss function = new ExpressionLoss(loss);
        int rows = 32;
        int width = 10;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment output = arena.allocate(rows * width * 4L);
            MemorySegment target = arena.allocate(rows * width * 4L);
            MemorySegment gradient = arena.allocate(rows * width * 4L);
            SteadyStateAllocation.assertAllocatesNothing(() -> {
                function.sum(output, target, gradient, width, 1f / rows, 0, rows);
                function.sum(output, target, gradient, width, 1f / rows, 5, 6); // a weighted run's single row
            }, 2000, 200, "an expression loss");
        }
    }
}
