package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdagradRule;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.DropoutSeed;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.RmsPropRule;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.UpdateRule;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The state a saved model carries besides its weights (optimizer slots, step count, dropout stream)
 * can be read out of one compiled graph and put into another, which then trains bit-identically.
 */
class TrainingStateTest {
    private static CompiledGraph graph(UpdateRule rule) {
        Graph g = new Graph(5);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", 5, 7)), g.input());
        n = g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 7)), n);
        n = g.add("dense/act", new Activate(Activation.RELU), n);
        n = g.add("dropout", new Dropout(0.3f, new DropoutSeed(0, 0)), n);
        g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", 7, 3)), n);
        return GraphFixtures.compile(g, new SparseCategoricalCrossEntropyLoss(true), rule, true,
                KernelPool.global(), List.of());
    }

    private static void train(CompiledGraph g, float[][] x, int[] y, int steps) {
        g.ensureCapacity(8);
        for (int s = 0; s < steps; s++) {
            int from = (s * 8) % x.length;
            g.loadInputs(x, null, from, 8);
            g.loadLabels(y, null, from, 8);
            g.trainStep(8);
        }
    }

    private static void copyState(CompiledGraph from, CompiledGraph to) {
        for (int i = 0; i < from.parameters().size(); i++) {
            to.writeParameter(i, from.readParameter(i));
            for (int s = 0; s < from.optimizerSlots(); s++) {
                to.writeSlot(s, i, from.readSlot(s, i));
            }
        }
        to.setIterations(from.iterations());
        to.setLearningRate(from.learningRate());
        to.restoreDropout(from.dropoutSeed(), from.dropoutStep());
    }

    @Test
    void aGraphGivenAnothersStateTrainsIdentically() {
        for (UpdateRule rule : List.of(new AdamRule(0.01f, 0.9f, 0.999f, 1e-7f, 0.004f),
                new GradientDescentRule(0.05f, 0.9f, true), new RmsPropRule(0.01f, 0.9f, 1e-7f),
                new AdagradRule(0.05f, 0.1f, 1e-7f))) {
            float[][] x = GraphFixtures.randomRows(32, 5, 1);
            int[] y = GraphFixtures.randomLabels(32, 3, 2);
            try (CompiledGraph a = graph(rule); CompiledGraph b = graph(rule); CompiledGraph c = graph(rule)) {
                GraphFixtures.randomize(a, 3);
                a.seedDropout(99);
                train(a, x, y, 5);
                a.setLearningRate(a.learningRate() * 0.5f);
                copyState(a, b);
                assertEquals(5, b.iterations());
                assertEquals(5, b.dropoutStep());
                assertEquals(99, b.dropoutSeed());
                // c gets the weights only: its optimizer starts over, so it must end elsewhere.
                for (int i = 0; i < a.parameters().size(); i++) {
                    c.writeParameter(i, a.readParameter(i));
                }
                c.restoreDropout(a.dropoutSeed(), a.dropoutStep());
                train(a, x, y, 3);
                train(b, x, y, 3);
                train(c, x, y, 3);
                for (int i = 0; i < a.parameters().size(); i++) {
                    assertArrayEquals(a.readParameter(i), b.readParameter(i), rule + " parameter " + i);
                }
                assertFalse(Arrays.equals(a.readParameter(0), c.readParameter(0)), rule + ": the control differs");
            }
        }
    }

    @Test
    void slotAndIterationArgumentsAreChecked() {
        try (CompiledGraph g = graph(new GradientDescentRule(0.1f, 0f, false))) {
            assertEquals(0, g.optimizerSlots());
            assertThrows(IllegalArgumentException.class, () -> g.readSlot(0, 0));
            assertThrows(IllegalArgumentException.class, () -> g.setIterations(-1));
        }
        try (CompiledGraph g = graph(new RmsPropRule(0.1f, 0.9f, 1e-7f))) {
            assertThrows(IllegalArgumentException.class, () -> g.writeSlot(0, 0, new float[3]));
            assertEquals(35, g.readSlot(0, 0).length);
        }
    }
}
