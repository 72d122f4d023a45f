package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.core.runtime.WeightPenalty;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Parameters that several nodes read (a shared layer): the parameter is listed, stored and updated
 * once, and its gradient is the sum of what each reader sends back. Finite differences check that sum
 * with the dense ops fused (matmul + bias + activation in one node) and apart.
 */
class SharedParameterGraphTest {
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);

    /** One kernel and bias, applied at several places. */
    record SharedDense(Parameter kernel, Parameter bias, Activation activation) {
        SharedDense(String name, int in, int out, Activation activation, WeightPenalty penalty) {
            this(new Parameter(name + "/kernel", penalty, in, out), new Parameter(name + "/bias", out), activation);
        }

        Node apply(Graph g, String name, Node from) {
            Node n = g.add(name, new MatMul(kernel), from);
            n = g.add(name + "/bias_add", new BiasAdd(bias), n);
            return activation == Activation.LINEAR ? n : g.add(name + "/act", new Activate(activation), n);
        }
    }

    /** A siamese graph: one encoder reads both inputs; the encodings, joined, feed a linear head. */
    static Graph siamese(Activation encoderActivation, WeightPenalty penalty) {
        Graph g = new Graph();
        Node left = g.addInput("left", Shape.of(4));
        Node right = g.addInput("right", Shape.of(4));
        SharedDense encoder = new SharedDense("encoder", 4, 5, encoderActivation, penalty);
        Node a = encoder.apply(g, "encoder", left);
        Node b = encoder.apply(g, "encoder_1", right);
        Node joined = g.add("concatenate", new Concatenate(), List.of(a, b));
        new SharedDense("head", 10, 2, Activation.LINEAR, null).apply(g, "head", joined);
        return g;
    }

    /** One square dense applied twice in a row, then added to its own first output: y = d(x) + d(d(x)). */
    static Graph appliedTwiceInARow() {
        Graph g = new Graph(5);
        SharedDense block = new SharedDense("block", 5, 5, Activation.TANH, null);
        Node once = block.apply(g, "block", g.input());
        Node twice = block.apply(g, "block_1", once);
        g.add("add", new Add(), List.of(once, twice));
        return g;
    }

    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void siameseGradientsAreTheSumOverUses(boolean fuse) {
        int rows = 7;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(siamese(Activation.TANH, null), new MeanSquaredErrorLoss(),
                        FROZEN, fuse, pool, List.of())) {
            assertEquals(List.of("encoder/kernel", "encoder/bias", "head/kernel", "head/bias"),
                    cg.parameters().stream().map(Parameter::name).toList());
            if (fuse) {
                assertEquals(List.of("left", "right", "encoder", "encoder_1", "concatenate", "head"),
                        cg.nodes().stream().map(Node::name).toList());
                assertSame(((Dense) cg.nodes().get(2).op()).kernel(), ((Dense) cg.nodes().get(3).op()).kernel());
            }
            GraphFixtures.randomize(cg, 21);
            cg.ensureCapacity(rows);
            cg.loadInputs(0, GraphFixtures.randomRows(rows, 4, 1), null, 0, rows);
            cg.loadInputs(1, GraphFixtures.randomRows(rows, 4, 2), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomRows(rows, 2, 3), null, 0, rows);
            GradientCheck.check(cg, rows, 12, 22, p -> true, 1e-2);
        }
    }

    @ParameterizedTest(name = "fused={0}")
    @ValueSource(booleans = {true, false})
    void aLayerAppliedToItsOwnOutputSumsBothUses(boolean fuse) {
        int rows = 5;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(appliedTwiceInARow(), new MeanSquaredErrorLoss(), FROZEN, fuse,
                        pool, List.of())) {
            assertEquals(2, cg.parameters().size());
            GraphFixtures.randomize(cg, 23);
            cg.ensureCapacity(rows);
            cg.loadInputs(GraphFixtures.randomRows(rows, 5, 4), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomRows(rows, 5, 5), null, 0, rows);
            GradientCheck.check(cg, rows, 15, 24, p -> true, 1e-2);
        }
    }

    @Test
    void aSharedWeightIsPenalizedOnce() {
        int rows = 3;
        WeightPenalty l2 = new WeightPenalty(0f, 0.25f);
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph plain = GraphFixtures.compile(siamese(Activation.RELU, null), new MeanSquaredErrorLoss(),
                        FROZEN, true, pool, List.of());
                CompiledGraph penalized = GraphFixtures.compile(siamese(Activation.RELU, l2), new MeanSquaredErrorLoss(),
                        FROZEN, true, pool, List.of())) {
            double squares = 0;
            for (CompiledGraph cg : List.of(plain, penalized)) {
                GraphFixtures.randomize(cg, 25);
                cg.ensureCapacity(rows);
                cg.loadInputs(0, GraphFixtures.randomRows(rows, 4, 6), null, 0, rows);
                cg.loadInputs(1, GraphFixtures.randomRows(rows, 4, 7), null, 0, rows);
                cg.loadTargets(GraphFixtures.randomRows(rows, 2, 8), null, 0, rows);
                cg.evaluateStep(rows);
            }
            for (float w : penalized.readParameter(0)) {
                squares += (double) w * w;
            }
            assertEquals(0.25 * squares, (penalized.lossSum() - plain.lossSum()) / rows, 1e-5);

            plain.trainStep(rows);
            penalized.trainStep(rows);
            float[] kernel = penalized.readParameter(0);
            float[] plainGradient = plain.readGradient(0);
            float[] expected = new float[kernel.length];
            for (int j = 0; j < kernel.length; j++) {
                expected[j] = plainGradient[j] + 2 * 0.25f * kernel[j];
            }
            assertArrayEquals(expected, penalized.readGradient(0), 1e-5f);
        }
    }

    @Test
    void aSharedStepMovesTheOneCopyByTheSummedGradient() {
        int rows = 4;
        float lr = 0.1f;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(siamese(Activation.TANH, null), new MeanSquaredErrorLoss(),
                        new GradientDescentRule(lr, 0f, false), true, pool, List.of())) {
            GraphFixtures.randomize(cg, 26);
            cg.ensureCapacity(rows);
            cg.loadInputs(0, GraphFixtures.randomRows(rows, 4, 9), null, 0, rows);
            cg.loadInputs(1, GraphFixtures.randomRows(rows, 4, 10), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomRows(rows, 2, 11), null, 0, rows);
            float[] before = cg.readParameter(0);
            cg.trainStep(rows);
            float[] gradient = cg.readGradient(0);
            float[] after = cg.readParameter(0);
            for (int j = 0; j < before.length; j++) {
                assertEquals(before[j] - lr * gradient[j], after[j], 1e-6f, "kernel element " + j);
            }
        }
    }

    @Test
    void sharingMovingStatisticsIsRefusedByName() {
        Graph g = new Graph(3);
        Parameter mean = new Parameter("bn/moving_mean", null, false, 3);
        Parameter variance = Parameter.nonNegativeState("bn/moving_variance", 3);
        BatchNorm norm = new BatchNorm(new Parameter("bn/gamma", 3), new Parameter("bn/beta", 3), mean, variance, 0.99f,
                1e-3f);
        Node once = g.add("bn", norm, g.input());
        g.add("bn_1", norm, once);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(), FROZEN, KernelPool.global()));
        assertEquals("state bn/moving_mean[3] is read by nodes 'bn' and 'bn_1': an op that keeps moving statistics"
                + " cannot be shared; give each place an op of its own", e.getMessage());
    }
}
