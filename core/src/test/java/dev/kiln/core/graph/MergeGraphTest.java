package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Graphs that are not chains: a node read by several others (its gradient is the sum of what each
 * sends back), merge ops reading several nodes, and graphs with two inputs. Finite differences check
 * the whole backward pass; a plain reference checks the forward values.
 */
class MergeGraphTest {
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);

    private static Node dense(Graph g, String name, Node from, int in, int out, Activation activation) {
        Node n = g.add(name, new MatMul(new Parameter(name + "/kernel", in, out)), from);
        n = g.add(name + "/bias_add", new BiasAdd(new Parameter(name + "/bias", out)), n);
        return activation == Activation.LINEAR ? n : g.add(name + "/act", new Activate(activation), n);
    }

    /** h = relu(dense(x)); out = softmax(dense_2(h + tanh(dense_1(h)))): h feeds dense_1 and the add. */
    static Graph residual() {
        Graph g = new Graph(5);
        Node h = dense(g, "dense", g.input(), 5, 6, Activation.RELU);
        Node r = dense(g, "dense_1", h, 6, 6, Activation.TANH);
        Node sum = g.add("add", new Add(), List.of(h, r));
        dense(g, "dense_2", sum, 6, 3, Activation.SOFTMAX);
        return g;
    }

    /** Two inputs, concatenated; the concatenation feeds two branches that a multiply gates together. */
    static Graph twoInputs() {
        return twoInputs(Activation.ELU, Activation.SIGMOID, Activation.TANH);
    }

    static Graph twoInputs(Activation first, Activation gateActivation, Activation valueActivation) {
        Graph g = new Graph();
        Node a = g.addInput("a", Shape.of(4));
        Node b = g.addInput("b", Shape.of(3));
        Node ha = dense(g, "dense", a, 4, 5, first);
        Node hb = dense(g, "dense_1", b, 3, 2, Activation.LINEAR);
        Node c = g.add("concatenate", new Concatenate(), List.of(ha, hb));
        Node gate = dense(g, "dense_2", c, 7, 4, gateActivation);
        Node value = dense(g, "dense_3", c, 7, 4, valueActivation);
        Node m = g.add("multiply", new Multiply(), List.of(gate, value));
        dense(g, "dense_4", m, 4, 2, Activation.LINEAR);
        return g;
    }

    /** A node read three times by one add (twice directly, once through two reshapes). */
    static Graph repeatedReads() {
        Graph g = new Graph(6);
        Node h = dense(g, "dense", g.input(), 6, 6, Activation.TANH);
        Node grid = g.add("reshape", new Reshape(Shape.of(2, 3)), h);
        Node flat = g.add("reshape_1", new Reshape(Shape.of(6)), grid);
        Node sum = g.add("add", new Add(), List.of(flat, h, h));
        dense(g, "dense_1", sum, 6, 2, Activation.LINEAR);
        return g;
    }

    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void residualGradientsMatchFiniteDifferences(boolean fuse) {
        int rows = 7;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(residual(), new SparseCategoricalCrossEntropyLoss(false), FROZEN,
                        fuse, pool, List.of())) {
            GraphFixtures.randomize(cg, 11);
            cg.ensureCapacity(rows);
            cg.loadInputs(GraphFixtures.randomRows(rows, 5, 3), null, 0, rows);
            cg.loadLabels(GraphFixtures.randomLabels(rows, 3, 5), null, 0, rows);
            GradientCheck.check(cg, rows, 8, 17, p -> true, 1e-2);
        }
    }

    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void twoInputGradientsMatchFiniteDifferences(boolean fuse) {
        int rows = 9;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(twoInputs(), new MeanSquaredErrorLoss(), FROZEN, fuse, pool,
                        List.of())) {
            assertEquals(2, cg.inputCount());
            assertEquals(Shape.of(3), cg.inputShape(1));
            GraphFixtures.randomize(cg, 12);
            cg.ensureCapacity(rows);
            cg.loadInputs(0, GraphFixtures.randomRows(rows, 4, 3), null, 0, rows);
            cg.loadInputs(1, GraphFixtures.randomRows(rows, 3, 4), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomRows(rows, 2, 5), null, 0, rows);
            GradientCheck.check(cg, rows, 8, 18, p -> true, 1e-2);
        }
    }

    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void repeatedReadsSumTheirGradients(boolean fuse) {
        int rows = 5;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(repeatedReads(), new MeanSquaredErrorLoss(), FROZEN, fuse, pool,
                        List.of())) {
            GraphFixtures.randomize(cg, 13);
            cg.ensureCapacity(rows);
            cg.loadInputs(GraphFixtures.randomRows(rows, 6, 3), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomRows(rows, 2, 5), null, 0, rows);
            GradientCheck.check(cg, rows, 10, 19, p -> true, 1e-2);
        }
    }

    @Test
    void twoInputForwardMatchesAPlainReference() {
        int rows = 3;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(twoInputs(), new MeanSquaredErrorLoss(), FROZEN, true, pool,
                        List.of())) {
            GraphFixtures.randomize(cg, 14);
            cg.ensureCapacity(rows);
            float[][] a = GraphFixtures.randomRows(rows, 4, 6);
            float[][] b = GraphFixtures.randomRows(rows, 3, 7);
            cg.loadInputs(0, a, null, 0, rows);
            cg.loadInputs(1, b, null, 0, rows);
            cg.predictStep(rows);
            float[][] out = new float[rows][2];
            cg.readOutputs(out, 0, rows);
            for (int r = 0; r < rows; r++) {
                double[] ha = denseRef(cg, 0, a[r], 5, x -> x > 0 ? x : Math.expm1(x));
                double[] hb = denseRef(cg, 2, b[r], 2, x -> x);
                double[] c = new double[7];
                System.arraycopy(ha, 0, c, 0, 5);
                System.arraycopy(hb, 0, c, 5, 2);
                double[] gate = denseRef(cg, 4, c, 4, x -> 1 / (1 + Math.exp(-x)));
                double[] value = denseRef(cg, 6, c, 4, Math::tanh);
                double[] m = new double[4];
                for (int j = 0; j < 4; j++) {
                    m[j] = gate[j] * value[j];
                }
                double[] y = denseRef(cg, 8, m, 2, x -> x);
                for (int j = 0; j < 2; j++) {
                    assertEquals(y[j], out[r][j], 1e-5, "row " + r + " output " + j);
                }
            }
        }
    }

    private static double[] denseRef(CompiledGraph cg, int kernelIndex, float[] x, int out,
            java.util.function.DoubleUnaryOperator f) {
        double[] xd = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            xd[i] = x[i];
        }
        return denseRef(cg, kernelIndex, xd, out, f);
    }

    private static double[] denseRef(CompiledGraph cg, int kernelIndex, double[] x, int out,
            java.util.function.DoubleUnaryOperator f) {
        float[] w = cg.readParameter(kernelIndex);
        float[] bias = cg.readParameter(kernelIndex + 1);
        double[] y = new double[out];
        for (int j = 0; j < out; j++) {
            double s = bias[j];
            for (int i = 0; i < x.length; i++) {
                s += x[i] * w[i * out + j];
            }
            y[j] = f.applyAsDouble(s);
        }
        return y;
    }

    @Test
    void concatenateJoinsImagesAlongChannels() {
        Graph g = new Graph();
        Node a = g.addInput("a", Shape.of(2, 3, 2));
        Node b = g.addInput("b", Shape.of(2, 3, 3));
        Node c = g.add("concatenate", new Concatenate(), List.of(a, b));
        g.add("flatten", new Reshape(Shape.of(30)), c);
        // A graph with no parameters still predicts; the concatenation is checked position by position.
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(g, new MeanSquaredErrorLoss(), FROZEN, true, pool, List.of())) {
            int rows = 2;
            cg.ensureCapacity(rows);
            float[][] xa = GraphFixtures.randomRows(rows, 12, 1);
            float[][] xb = GraphFixtures.randomRows(rows, 18, 2);
            cg.loadInputs(0, xa, null, 0, rows);
            cg.loadInputs(1, xb, null, 0, rows);
            cg.predictStep(rows);
            float[][] out = new float[rows][30];
            cg.readOutputs(out, 0, rows);
            for (int r = 0; r < rows; r++) {
                float[] expected = new float[30];
                for (int p = 0; p < 6; p++) {
                    System.arraycopy(xa[r], p * 2, expected, p * 5, 2);
                    System.arraycopy(xb[r], p * 3, expected, p * 5 + 2, 3);
                }
                assertArrayEquals(expected, out[r]);
            }
        }
    }

    @Test
    void fusionKeepsAValueSeveralNodesRead() {
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph cg = GraphFixtures.compile(residual(), new SparseCategoricalCrossEntropyLoss(false), FROZEN,
                        true, pool, List.of())) {
            // dense, dense_1 and dense_2's matmul+bias fuse; the loss absorbs the softmax.
            List<String> names = cg.nodes().stream().map(Node::name).toList();
            assertEquals(List.of("input", "dense", "dense_1", "add", "dense_2", "dense_2/act"), names);
            assertTrue(cg.lossFused());
        }
        Graph g = new Graph(4);
        Node m = g.add("dense", new MatMul(new Parameter("dense/kernel", 4, 4)), g.input());
        Node biased = g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 4)), m);
        g.add("add", new Add(), List.of(m, biased)); // the matmul's output is read twice: not fused
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph cg = GraphFixtures.compile(g, new MeanSquaredErrorLoss(), FROZEN, true, pool, List.of())) {
            assertEquals(List.of("input", "dense", "dense/bias_add", "add"),
                    cg.nodes().stream().map(Node::name).toList());
        }
    }

    @Test
    void badGraphsAreRefusedWithTheirNodes() {
        Graph g = new Graph();
        Node a = g.addInput("a", Shape.of(4));
        Node b = g.addInput("b", Shape.of(3));
        g.add("add", new Add(), List.of(a, b));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(), FROZEN, KernelPool.global()));
        assertEquals("node 'add': add needs inputs of one shape, but input 0 has examples of shape [4] and input 1"
                + " of shape [3]", e.getMessage());

        Graph images = new Graph();
        Node p = images.addInput("p", Shape.of(2, 2, 1));
        Node q = images.addInput("q", Shape.of(2, 3, 1));
        images.add("concatenate", new Concatenate(), List.of(p, q));
        e = assertThrows(IllegalArgumentException.class,
                () -> Compiler.compile(images, new MeanSquaredErrorLoss(), List.of(), FROZEN, KernelPool.global()));
        assertTrue(e.getMessage().startsWith("node 'concatenate': concatenate joins examples along their last axis"),
                e.getMessage());

        Graph dangling = new Graph(3);
        dangling.add("dense", new MatMul(new Parameter("dense/kernel", 3, 2)), dangling.input());
        dangling.add("dense_1", new MatMul(new Parameter("dense_1/kernel", 3, 2)), dangling.input());
        e = assertThrows(IllegalArgumentException.class,
                () -> Compiler.compile(dangling, new MeanSquaredErrorLoss(), List.of(), FROZEN, KernelPool.global()));
        assertEquals("node 'dense' feeds no other node and is not the graph's output (its last node)", e.getMessage());

        Graph lonely = new Graph(3);
        lonely.add("add", new Add(), List.of(lonely.input()));
        e = assertThrows(IllegalArgumentException.class,
                () -> Compiler.compile(lonely, new MeanSquaredErrorLoss(), List.of(), FROZEN, KernelPool.global()));
        assertEquals("node 'add': add merges two or more inputs, got 1", e.getMessage());

        Graph one = new Graph(3);
        e = assertThrows(IllegalArgumentException.class,
                () -> Compiler.compile(one, new MeanSquaredErrorLoss(), List.of(), FROZEN, KernelPool.global()));
        assertEquals("the graph has no operation after its inputs", e.getMessage());
    }
}
