package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Graphs with several outputs, each scored by a loss of its own times its loss weight: the gradient is
 * the one of Σ weight · loss (finite differences), an output read by later nodes gets their gradient
 * and its loss's summed, and each output keeps its own loss sum, metrics and targets.
 */
class MultiOutputGraphTest {
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);

    private static Node dense(Graph g, String name, Node from, int in, int out, Activation activation) {
        Node n = g.add(name, new MatMul(new Parameter(name + "/kernel", in, out)), from);
        n = g.add(name + "/bias_add", new BiasAdd(new Parameter(name + "/bias", out)), n);
        return activation == Activation.LINEAR ? n : g.add(name + "/act", new Activate(activation), n);
    }

    /**
     * h = relu(dense(x)); class = softmax(dense_1(h)); code = tanh(dense_2(h)); value = dense_3(code).
     * Outputs class, code and value: code is scored and also feeds value.
     */
    static Graph threeOutputs(Activation hidden, Activation code) {
        Graph g = new Graph(5);
        Node h = dense(g, "dense", g.input(), 5, 6, hidden);
        Node classes = dense(g, "dense_1", h, 6, 3, Activation.SOFTMAX);
        Node codes = dense(g, "dense_2", h, 6, 4, code);
        Node value = dense(g, "dense_3", codes, 4, 2, Activation.LINEAR);
        g.markOutput(classes);
        g.markOutput(codes);
        g.markOutput(value);
        return g;
    }

    static List<OutputLoss> threeLosses(List<MetricReduction> classMetrics) {
        return List.of(new OutputLoss(new SparseCategoricalCrossEntropyLoss(false), 0.7f, classMetrics),
                new OutputLoss(new MeanSquaredErrorLoss(), 1.5f, List.of()),
                new OutputLoss(new MeanSquaredErrorLoss(), 0.5f, List.of(MetricReduction.ABSOLUTE_ERROR)));
    }

    static void loadBatch(CompiledGraph cg, int rows) {
        cg.loadInputs(GraphFixtures.randomRows(rows, 5, 3), null, 0, rows);
        cg.loadLabels(0, GraphFixtures.randomLabels(rows, 3, 5), null, 0, rows);
        cg.loadTargets(1, GraphFixtures.randomRows(rows, 4, 6), null, 0, rows);
        cg.loadTargets(2, GraphFixtures.randomRows(rows, 2, 7), null, 0, rows);
    }

    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void weightedLossGradientsMatchFiniteDifferences(boolean fuse) {
        int rows = 7;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(threeOutputs(Activation.TANH, Activation.TANH), threeLosses(List.of()),
                        FROZEN, pool, fuse)) {
            assertEquals(3, cg.outputCount());
            assertEquals(fuse, cg.lossFused(0), "the class output's softmax is absorbed by its cross-entropy");
            assertFalse(cg.lossFused(1));
            assertEquals(1, cg.targetWidth(0));
            assertEquals(4, cg.targetWidth(1));
            assertEquals(2, cg.outputWidth(2));
            GraphFixtures.randomize(cg, 11);
            cg.ensureCapacity(rows);
            loadBatch(cg, rows);
            GradientCheck.check(cg, rows, 8, 17, p -> true, 1e-2);
        }
    }

    @Test
    void sampleWeightsScaleEveryOutputsLoss() {
        int rows = 6;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(threeOutputs(Activation.TANH, Activation.TANH), threeLosses(List.of()),
                        FROZEN, pool, true)) {
            GraphFixtures.randomize(cg, 12);
            cg.ensureCapacity(rows);
            loadBatch(cg, rows);
            float[] weights = {0.5f, 2f, 0f, 1f, 1.25f, 3f};
            float[][] x = GraphFixtures.randomRows(rows, 5, 3);
            int[] labels = GraphFixtures.randomLabels(rows, 3, 5);
            float[][] codes = GraphFixtures.randomRows(rows, 4, 6);
            float[][] values = GraphFixtures.randomRows(rows, 2, 7);
            cg.loadSampleWeights(weights, null, 0, rows);
            cg.evaluateStep(rows);
            double[] weighted = {cg.outputLossSum(0), cg.outputLossSum(1), cg.outputLossSum(2)};
            double total = cg.lossSum();
            // Reference: each row alone, unweighted, times its weight.
            double[] expected = new double[3];
            for (int r = 0; r < rows; r++) {
                int[] row = {r};
                cg.loadInputs(x, row, 0, 1);
                cg.loadLabels(0, labels, row, 0, 1);
                cg.loadTargets(1, codes, row, 0, 1);
                cg.loadTargets(2, values, row, 0, 1);
                cg.evaluateStep(1);
                for (int k = 0; k < 3; k++) {
                    expected[k] += weights[r] * cg.outputLossSum(k);
                }
            }
            assertArrayEquals(expected, weighted, 1e-5);
            assertEquals((double) 0.7f * expected[0] + 1.5 * expected[1] + 0.5 * expected[2], total, 1e-5);
        }
    }

    @Test
    void eachOutputKeepsItsLossMetricsAndValues() {
        int rows = 9;
        Graph g = threeOutputs(Activation.RELU, Activation.TANH);
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(g, threeLosses(List.of(MetricReduction.ARGMAX_MATCHES_LABEL)), FROZEN,
                        pool, true)) {
            GraphFixtures.randomize(cg, 13);
            cg.ensureCapacity(rows);
            loadBatch(cg, rows);
            cg.evaluateStep(rows);
            double[] own = {cg.outputLossSum(0), cg.outputLossSum(1), cg.outputLossSum(2)};
            assertEquals((double) 0.7f * own[0] + 1.5 * own[1] + 0.5 * own[2], cg.lossSum(), 1e-9 * rows);
            double metricA = cg.metricSum(0);
            double metricB = cg.metricSum(1);

            // The same numbers from the values predict leaves: one output at a time, by hand.
            cg.predictStep(rows);
            float[][] classes = new float[rows][3];
            float[][] codes = new float[rows][4];
            float[][] values = new float[rows][2];
            cg.readOutputs(0, classes, 0, rows);
            cg.readOutputs(1, codes, 0, rows);
            cg.readOutputs(2, values, 0, rows);
            int[] labels = GraphFixtures.randomLabels(rows, 3, 5);
            float[][] codeTargets = GraphFixtures.randomRows(rows, 4, 6);
            float[][] valueTargets = GraphFixtures.randomRows(rows, 2, 7);
            double crossEntropy = 0;
            int matches = 0;
            double codeError = 0;
            double valueError = 0;
            double absolute = 0;
            for (int r = 0; r < rows; r++) {
                crossEntropy -= Math.log(classes[r][labels[r]]);
                int best = 0;
                for (int c = 1; c < 3; c++) {
                    best = classes[r][c] > classes[r][best] ? c : best;
                }
                matches += best == labels[r] ? 1 : 0;
                for (int c = 0; c < 4; c++) {
                    codeError += Math.pow(codes[r][c] - codeTargets[r][c], 2) / 4;
                }
                for (int c = 0; c < 2; c++) {
                    valueError += Math.pow(values[r][c] - valueTargets[r][c], 2) / 2;
                    absolute += Math.abs(values[r][c] - valueTargets[r][c]);
                }
            }
            assertEquals(crossEntropy, own[0], 1e-4 * rows);
            assertEquals(codeError, own[1], 1e-5 * rows);
            assertEquals(valueError, own[2], 1e-5 * rows);
            assertEquals(matches, metricA, 0);
            assertEquals(absolute, metricB, 1e-4 * rows);
        }
    }

    /** An explicitly marked last node compiles to the very program an unmarked graph does. */
    @Test
    void oneMarkedOutputTrainsBitIdenticallyToTheLastNode() {
        int rows = 8;
        float[][] results = new float[2][];
        for (int marked = 0; marked < 2; marked++) {
            Graph g = GraphFixtures.twoLayer(5, 6, 3, Activation.RELU, Activation.SOFTMAX, true);
            if (marked == 1) {
                g.markOutput(g.nodes().get(g.nodes().size() - 1));
            }
            try (KernelPool pool = new KernelPool(2);
                    CompiledGraph cg = Compiler.compile(g, List.of(new OutputLoss(new SparseCategoricalCrossEntropyLoss(false),
                            1f, List.of())), new GradientDescentRule(0.1f, 0f, false), pool, true)) {
                GraphFixtures.randomize(cg, 14);
                cg.ensureCapacity(rows);
                cg.loadInputs(GraphFixtures.randomRows(rows, 5, 3), null, 0, rows);
                cg.loadLabels(GraphFixtures.randomLabels(rows, 3, 5), null, 0, rows);
                cg.trainStep(rows);
                float[] w = cg.readParameter(0);
                results[marked] = new float[w.length + 1];
                System.arraycopy(w, 0, results[marked], 0, w.length);
                results[marked][w.length] = (float) cg.lossSum();
            }
        }
        assertArrayEquals(results[0], results[1]);
    }

    @Test
    void badOutputsAreRefusedWithTheirNodes() {
        Graph g = threeOutputs(Activation.RELU, Activation.TANH);
        var e = assertThrows(IllegalArgumentException.class, () -> Compiler.compile(g,
                List.of(new OutputLoss(new MeanSquaredErrorLoss(), 1f, List.of())), FROZEN, KernelPool.global(), true));
        assertEquals("the graph has 3 outputs but 1 losses were given; expected one loss per output", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> g.markOutput(g.outputs().get(0)));
        assertEquals("node 'dense_1/act' is marked as an output twice", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.markOutput(g.input()));
        assertEquals("output 'input' is an input; an output must be an operation", e.getMessage());
        Node foreign = new Graph(2).input();
        assertThrows(IllegalArgumentException.class, () -> g.markOutput(foreign));

        Graph partial = new Graph(3);
        Node a = dense(partial, "dense", partial.input(), 3, 2, Activation.LINEAR);
        Node b = dense(partial, "dense_1", partial.input(), 3, 2, Activation.LINEAR);
        partial.markOutput(a);
        e = assertThrows(IllegalArgumentException.class, () -> Compiler.compile(partial,
                List.of(new OutputLoss(new MeanSquaredErrorLoss(), 1f, List.of())), FROZEN, KernelPool.global(), true));
        assertEquals("node '" + b.name() + "' feeds no other node and is not one of the graph's outputs", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> new OutputLoss(new MeanSquaredErrorLoss(), -1f, List.of()));
        assertEquals("loss weight must be a finite number >= 0, got -1.0", e.getMessage());
    }
}
