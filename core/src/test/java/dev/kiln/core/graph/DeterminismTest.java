package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every activation trains to the same bits on 1, 2 and 3 threads. This net is small enough that its
 * kernels run in one part whatever the pool (the JIT tiers are what varies here); the same claim at sizes
 * where every kernel splits is {@link SplitDeterminismTest}'s.
 */
class DeterminismTest {
    /**
     * The first run of each activation is also the JVM's first use of its kernels, so this checks too
     * that interpreted, C1 and C2 code give the same bits.
     */
    @ParameterizedTest
    @EnumSource(value = Activation.class, names = {"RELU", "SIGMOID", "TANH", "LEAKY_RELU", "ELU", "GELU", "SILU"})
    void threadCountDoesNotChangeOneBit(Activation hidden) {
        for (UpdateRule rule : List.of(new GradientDescentRule(0.1f, 0.9f, true),
                new AdamRule(1e-2f, 0.9f, 0.999f, 1e-7f, 0.004f))) {
            float[][] one = train(1, hidden, rule);
            float[][] two = train(2, hidden, rule);
            float[][] three = train(3, hidden, rule);
            for (int p = 0; p < one.length; p++) {
                assertArrayEquals(one[p], two[p], hidden + " " + rule + " parameter " + p + " with 2 threads");
                assertArrayEquals(one[p], three[p], hidden + " " + rule + " parameter " + p + " with 3 threads");
            }
        }
    }

    @Test
    void aShortLastBatchRunsTheSameStepsOnFewerRows() {
        Graph g = GraphFixtures.twoLayer(5, 7, 3, Activation.RELU, Activation.SOFTMAX, true);
        try (CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false),
                List.of(MetricReduction.ARGMAX_MATCHES_LABEL), new GradientDescentRule(0f, 0f, false),
                KernelPool.global())) {
            GraphFixtures.randomize(cg, 2);
            cg.ensureCapacity(16);
            float[][] x = GraphFixtures.randomRows(3, 5, 4);
            int[] y = GraphFixtures.randomLabels(3, 3, 4);
            cg.loadInputs(x, null, 0, 3);
            cg.loadLabels(y, null, 0, 3);
            cg.evaluateStep(3);
            double small = cg.lossSum();
            cg.ensureCapacity(64);
            cg.loadInputs(x, null, 0, 3);
            cg.loadLabels(y, null, 0, 3);
            cg.evaluateStep(3);
            assertEquals(small, cg.lossSum(), 0.0, "capacity must not change results");
        }
    }

    private static float[][] train(int threads, Activation hidden, UpdateRule rule) {
        Graph g = GraphFixtures.twoLayer(37, 45, 10, hidden, Activation.SOFTMAX, true);
        try (KernelPool pool = new KernelPool(threads);
                CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false), List.of(),
                        rule, pool)) {
            GraphFixtures.randomize(cg, 9);
            cg.ensureCapacity(33);
            for (int step = 0; step < 5; step++) {
                int rows = step == 4 ? 13 : 33;
                cg.loadInputs(GraphFixtures.randomRows(rows, 37, step), null, 0, rows);
                cg.loadLabels(GraphFixtures.randomLabels(rows, 10, step), null, 0, rows);
                cg.trainStep(rows);
            }
            float[][] out = new float[cg.parameters().size()][];
            for (int p = 0; p < out.length; p++) {
                out[p] = cg.readParameter(p);
            }
            return out;
        }
    }
}
