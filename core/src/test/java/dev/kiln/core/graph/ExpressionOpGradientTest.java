package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.expr.BinaryOp;
import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.RowReduction;
import dev.kiln.core.expr.UnaryOp;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Finite-difference checks of {@link ExpressionOp} inside compiled graphs on odd shapes: its weights' gradients
 * directly, and its input's gradient through the kernel of the matmul before it (which is only right when the
 * op hands back the right input gradient). A weight read by two nodes checks the shared-parameter path.
 */
class ExpressionOpGradientTest {
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);

    /** y = tanh(x·K + b)·s + mean(x) − softplus(x·K)·x₀… with a scalar s, a vector b and a kernel K. */
    @Test
    void denseLikeExpressionGradientsMatchFiniteDifferences() {
        int in = 5;
        int hidden = 4;
        int units = 3;
        Graph g = new Graph(in);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", in, hidden)), g.input());
        Expr x = Expr.input(hidden);
        Expr kernel = Expr.weight(new Parameter("custom/kernel", hidden, units));
        Expr bias = Expr.weight(new Parameter("custom/bias", units));
        Expr scale = Expr.weight(new Parameter("custom/scale"));
        Expr z = Expr.matmul(x, kernel);
        Expr y = Expr.binary(BinaryOp.ADD,
                Expr.binary(BinaryOp.MULTIPLY, Expr.unary(UnaryOp.TANH, Expr.binary(BinaryOp.ADD, z, bias)), scale),
                Expr.binary(BinaryOp.SUBTRACT, Expr.reduce(RowReduction.MEAN, x), Expr.unary(UnaryOp.SOFTPLUS, z)));
        g.add("custom", new ExpressionOp("custom", y), n);
        check(g, in, units, 7);
    }

    @Test
    void sharedWeightGetsTheSumOfBothNodesGradients() {
        int in = 5;
        int width = 3;
        Graph g = new Graph(in);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", in, width)), g.input());
        Parameter shared = new Parameter("scale/scale", width);
        Expr first = Expr.unary(UnaryOp.SIGMOID, Expr.binary(BinaryOp.MULTIPLY, Expr.input(width), Expr.weight(shared)));
        Expr second = Expr.binary(BinaryOp.MULTIPLY, Expr.input(width), Expr.weight(shared));
        n = g.add("scale", new ExpressionOp("scale", first), n);
        g.add("scale_again", new ExpressionOp("scale", second), n);
        check(g, in, width, 6);
    }

    @Test
    void refusesExpressionsThatAreNoLayers() {
        Expr x = Expr.input(3);
        assertThrows(IllegalArgumentException.class, () -> new ExpressionOp("sum", Expr.reduce(RowReduction.SUM, x)));
        assertThrows(IllegalArgumentException.class, () -> new ExpressionOp("loss", Expr.binary(BinaryOp.SUBTRACT,
                Expr.TARGET, x)));
        Parameter kernel = new Parameter("k", 4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Expr.matmul(x, Expr.weight(kernel)));
        assertEquals("matmul by " + kernel + " needs rows of 4 features, got rows of 3 features", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Expr.binary(BinaryOp.ADD, x, Expr.weight(new Parameter("b", 2))));
        assertThrows(IllegalArgumentException.class,
                () -> Expr.unary(UnaryOp.TANH, Expr.weight(kernel)));
    }

    private static void check(Graph g, int in, int width, int rows) {
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(g, new MeanSquaredErrorLoss(), FROZEN, true, pool, List.of())) {
            GraphFixtures.randomize(cg, 11);
            cg.ensureCapacity(rows);
            cg.loadInputs(GraphFixtures.randomRows(rows, in, 3), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomTargets(rows, width, 5, false), null, 0, rows);
            GradientCheck.check(cg, rows, 8, 17, p -> true, 1e-2);
        }
    }
}
