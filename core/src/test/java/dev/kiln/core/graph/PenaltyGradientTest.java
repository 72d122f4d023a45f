package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.core.runtime.WeightPenalty;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Weight penalties: their value is in the loss, their gradient in the parameters' gradients. */
class PenaltyGradientTest {
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);

    private static Graph penalized(float l1, float l2) {
        WeightPenalty penalty = new WeightPenalty(l1, l2);
        Graph g = new Graph(5);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", penalty, 5, 6)), g.input());
        n = g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", penalty, 6)), n);
        n = g.add("dense/act", new Activate(Activation.TANH), n);
        n = g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", 6, 3)), n);
        g.add("dense_1/bias_add", new BiasAdd(new Parameter("dense_1/bias", new WeightPenalty(0f, 0.3f), 3)), n);
        return g;
    }

    @ParameterizedTest(name = "l1 {0}, l2 {1}, fused {2}")
    @CsvSource({"0, 0.05, true", "0.05, 0, true", "0.02, 0.1, false", "0.3, 0.2, true"})
    void gradientsMatchFiniteDifferencesOfTheLossWithItsPenalty(float l1, float l2, boolean fuse) {
        int rows = 7;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(penalized(l1, l2), new MeanSquaredErrorLoss(), FROZEN,
                        fuse, pool, List.of())) {
            GraphFixtures.randomize(cg, 21);
            cg.ensureCapacity(rows);
            cg.loadInputs(GraphFixtures.randomRows(rows, 5, 3), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomTargets(rows, 3, 5, false), null, 0, rows);
            GradientCheck.check(cg, rows, 8, 17, p -> true, 1e-2);
        }
    }

    @ParameterizedTest(name = "l1 {0}, l2 {1}")
    @CsvSource({"0, 0.05", "0.05, 0", "0.02, 0.1"})
    void theReportedLossIsTheDataLossPlusThePenalty(float l1, float l2) {
        int rows = 4;
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph plain = GraphFixtures.compile(GraphFixtures.twoLayer(5, 6, 3, Activation.TANH,
                        Activation.LINEAR, true), new MeanSquaredErrorLoss(), FROZEN, true, pool, List.of());
                CompiledGraph withPenalty = GraphFixtures.compile(penalized(l1, l2), new MeanSquaredErrorLoss(),
                        FROZEN, true, pool, List.of())) {
            GraphFixtures.randomize(withPenalty, 4);
            double penalty = 0;
            for (int p = 0; p < 4; p++) {
                float[] w = withPenalty.readParameter(p);
                plain.writeParameter(p, w);
                WeightPenalty wp = withPenalty.parameters().get(p).penalty();
                for (float v : w) {
                    penalty += wp == null ? 0 : wp.l1() * Math.abs((double) v) + wp.l2() * (double) v * v;
                }
            }
            for (CompiledGraph cg : List.of(plain, withPenalty)) {
                cg.ensureCapacity(rows);
                cg.loadInputs(GraphFixtures.randomRows(rows, 5, 3), null, 0, rows);
                cg.loadTargets(GraphFixtures.randomTargets(rows, 3, 5, false), null, 0, rows);
            }
            plain.evaluateStep(rows);
            withPenalty.evaluateStep(rows);
            assertEquals(plain.lossSum() / rows + penalty, withPenalty.lossSum() / rows, 1e-5);
            withPenalty.trainStep(rows);
            assertEquals(plain.lossSum() / rows + penalty, withPenalty.lossSum() / rows, 1e-5);
        }
    }
}
