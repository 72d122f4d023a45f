package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.BinaryCrossEntropyLoss;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The fusion passes change how the graph runs, never what it computes. */
class FusionTest {
    private static final UpdateRule SGD = new GradientDescentRule(0.1f, 0.9f, false);

    @Test
    void matmulBiasActivationBecomeOneDenseAndSoftmaxJoinsTheLoss() {
        Graph g = GraphFixtures.twoLayer(4, 8, 3, Activation.RELU, Activation.SOFTMAX, true);
        try (CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false), List.of(), SGD,
                KernelPool.global())) {
            List<Node> nodes = cg.nodes();
            assertEquals(4, nodes.size(), () -> nodes.toString());
            Dense hidden = assertInstanceOf(Dense.class, nodes.get(1).op());
            assertEquals(Activation.RELU, hidden.activation());
            Dense output = assertInstanceOf(Dense.class, nodes.get(2).op());
            assertEquals(Activation.LINEAR, output.activation(), "softmax stays out of the epilogue");
            assertInstanceOf(Activate.class, nodes.get(3).op());
            assertTrue(cg.lossFused());
        }
    }

    @Test
    void sigmoidOutputIsLeftForTheBinaryCrossEntropyToAbsorb() {
        Graph g = GraphFixtures.twoLayer(4, 8, 1, Activation.TANH, Activation.SIGMOID, true);
        try (CompiledGraph cg = Compiler.compile(g, new BinaryCrossEntropyLoss(false), List.of(), SGD,
                KernelPool.global())) {
            assertTrue(cg.lossFused());
            assertInstanceOf(Activate.class, cg.nodes().get(cg.nodes().size() - 1).op());
        }
        Graph g2 = GraphFixtures.twoLayer(4, 8, 1, Activation.TANH, Activation.SIGMOID, true);
        try (CompiledGraph cg = Compiler.compile(g2, new MeanSquaredErrorLoss(), List.of(), SGD,
                KernelPool.global())) {
            assertFalse(cg.lossFused(), "mse does not absorb a sigmoid, so the sigmoid joins the dense epilogue");
            Dense out = assertInstanceOf(Dense.class, cg.nodes().get(cg.nodes().size() - 1).op());
            assertEquals(Activation.SIGMOID, out.activation());
        }
    }

    @Test
    void fusedAndUnfusedGraphsTrainToTheSameWeights() {
        for (LossFunction loss : List.of(new SparseCategoricalCrossEntropyLoss(false), new MeanSquaredErrorLoss())) {
            float[][] reference = trainThreeSteps(false, loss);
            float[][] fused = trainThreeSteps(true, loss);
            for (int p = 0; p < reference.length; p++) {
                for (int j = 0; j < reference[p].length; j++) {
                    assertEquals(reference[p][j], fused[p][j], 1e-4, loss + " parameter " + p + " element " + j);
                }
            }
        }
    }

    @Test
    void shapeInferenceNamesTheMismatch() {
        Graph g = new Graph(5);
        g.add("dense", new MatMul(new Parameter("dense/kernel", 4, 3)), g.input());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(), SGD, KernelPool.global()));
        assertTrue(e.getMessage().contains("dense") && e.getMessage().contains("4") && e.getMessage().contains("5"),
                e.getMessage());
    }

    private static float[][] trainThreeSteps(boolean fuse, LossFunction loss) {
        Graph g = GraphFixtures.twoLayer(6, 9, 4, Activation.TANH, Activation.SOFTMAX, true);
        try (CompiledGraph cg = Compiler.compile(g, loss, List.of(), SGD, KernelPool.global(), fuse)) {
            GraphFixtures.randomize(cg, 1);
            cg.ensureCapacity(10);
            for (int step = 0; step < 3; step++) {
                cg.loadInputs(GraphFixtures.randomRows(10, 6, step), null, 0, 10);
                if (loss.targetWidth(4) == 1) { // class indices
                    cg.loadLabels(GraphFixtures.randomLabels(10, 4, step), null, 0, 10);
                } else {
                    cg.loadTargets(GraphFixtures.randomTargets(10, 4, step, true), null, 0, 10);
                }
                cg.trainStep(10);
            }
            float[][] out = new float[cg.parameters().size()][];
            for (int p = 0; p < out.length; p++) {
                out[p] = cg.readParameter(p);
            }
            assertArrayEquals(new int[] {6, 9}, cg.parameters().get(0).shape());
            return out;
        }
    }
}
