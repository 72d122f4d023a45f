package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.expr.BinaryOp;
import dev.kiln.core.expr.Expr;
import dev.kiln.core.expr.UnaryOp;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.testing.FreshJvmRetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Training and evaluation steps through a layer written as an expression allocate nothing, short batches too. */
class ExpressionOpAllocationTest {
    @Test
    void aTrainingStepAllocatesNothing() {
        FreshJvmRetry.run(getClass(), "measure", this::measure);
    }

    void measure() {
        int rows = 32;
        int in = 9;
        int units = 5;
        Graph g = new Graph(in);
        Expr x = Expr.input(in);
        Expr dense = Expr.binary(BinaryOp.ADD, Expr.matmul(x, Expr.weight(new Parameter("custom/kernel", in, units))),
                Expr.weight(new Parameter("custom/bias", units)));
        g.add("custom", new ExpressionOp("custom", Expr.unary(UnaryOp.TANH, dense)), g.input());
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(g, new MeanSquaredErrorLoss(),
                        new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), true, pool, List.of())) {
            GraphFixtures.randomize(cg, 3);
            cg.ensureCapacity(rows);
            cg.loadInputs(GraphFixtures.randomRows(rows, in, 4), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomTargets(rows, units, 5, false), null, 0, rows);
            Runnable trainAndEvaluate = () -> {
                cg.trainStep(rows);
                cg.evaluateStep(rows);
                cg.trainStep(7); // a short last batch reuses the buffers grown for the full one
            };
            SteadyStateAllocation.assertAllocatesNothing(trainAndEvaluate, 5_000, 1_000,
                    "a training and an evaluation step through an expression layer");
        }
    }
}
