package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.GradientClip;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.RmsPropRule;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.UpdateRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The README's promise, at sizes where it can be broken: training gives bit-identical weights, optimizer
 * slots, moving statistics and losses on 1, 2 and 3 threads, and the test checks that on 2 and 3 threads
 * every kernel dispatch of every step really ran in that many parts. That covers the row gather, both
 * GEMM paths forward and backward, the activation derivative, batch norm's apply and input gradient,
 * gradient clipping (its norms summed over chunks), the update's finite check and the update itself.
 *
 * <p>{@link DeterminismTest} covers every activation, at sizes too small to split.
 */
class SplitDeterminismTest {
    /** Wide enough that the first layer takes the blocked GEMM path at a full batch. */
    private static final int IN = 400;
    private static final int HIDDEN = 256;
    /** Three column panels even with AVX-512's 32-float panels, so the output layer splits too. */
    private static final int CLASSES = 96;
    private static final int BATCH = 256;
    /** A short last batch that still carries enough work for three parts everywhere. */
    private static final int LAST_BATCH = 200;
    private static final int ROWS = 3 * BATCH + LAST_BATCH;

    /** Everything a training run leaves behind that could differ. */
    private record Outcome(List<float[]> state, double[] losses) {
    }

    @Test
    void adamWithGlobalNorm() {
        assertSameBitsOnOneTwoAndThreeThreads(new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0.004f),
                new GradientClip(GradientClip.Mode.GLOBAL_NORM, 1e-2f));
    }

    @Test
    void nesterovMomentumWithPerParameterNorm() {
        assertSameBitsOnOneTwoAndThreeThreads(new GradientDescentRule(0.05f, 0.9f, true),
                new GradientClip(GradientClip.Mode.NORM, 1e-2f));
    }

    @Test
    void rmsPropWithClipValue() {
        assertSameBitsOnOneTwoAndThreeThreads(new RmsPropRule(1e-3f, 0.9f, 1e-7f),
                new GradientClip(GradientClip.Mode.VALUE, 1e-4f));
    }

    /** Clipping is part of what was checked to split: it adds its own dispatches to a step, on every thread. */
    @Test
    void clippingDispatchesAreAmongTheSplitOnes() {
        try (KernelPool pool = new KernelPool(3);
                CompiledGraph cg = compile(new GradientDescentRule(0.05f, 0f, false), GradientClip.NONE, pool)) {
            long[] plain = trainStepCounts(cg, pool);
            cg.setGradientClip(new GradientClip(GradientClip.Mode.NORM, 1e-2f));
            long[] clipped = trainStepCounts(cg, pool);
            // A norm clip sums the squares, then rescales: two more dispatches, each in three parts.
            assertEquals(plain[0] + 2, clipped[0], "dispatches of a step without and with clipping");
            assertEquals(plain[1] + 6, clipped[1], "parts of a step without and with clipping");
        }
    }

    private static void assertSameBitsOnOneTwoAndThreeThreads(UpdateRule rule, GradientClip clip) {
        Outcome one = train(1, rule, clip);
        for (int threads : new int[] {2, 3}) {
            Outcome other = train(threads, rule, clip);
            assertArrayEquals(one.losses(), other.losses(), "losses per step with " + threads + " threads");
            for (int i = 0; i < one.state().size(); i++) {
                assertArrayEquals(one.state().get(i), other.state().get(i), "state array " + i + " with " + threads
                        + " threads");
            }
        }
    }

    private static Outcome train(int threads, UpdateRule rule, GradientClip clip) {
        float[][] x = GraphFixtures.randomRows(ROWS, IN, 11);
        int[] y = GraphFixtures.randomLabels(ROWS, CLASSES, 12);
        int[] order = shuffled(ROWS, 13);
        try (KernelPool pool = new KernelPool(threads); CompiledGraph cg = compile(rule, clip, pool)) {
            List<Double> losses = new ArrayList<>();
            for (int from = 0; from < ROWS; from += BATCH) {
                int rows = Math.min(BATCH, ROWS - from);
                long dispatches = pool.dispatches();
                long parts = pool.partsDispatched();
                cg.loadInputs(x, order, from, rows);
                cg.loadLabels(y, order, from, rows);
                cg.trainStep(rows);
                long stepDispatches = pool.dispatches() - dispatches;
                long stepParts = pool.partsDispatched() - parts;
                assertTrue(stepDispatches > 0, "the step ran no kernel through the pool");
                assertEquals(stepDispatches * threads, stepParts, "a batch of " + rows + " rows on " + threads
                        + " threads made " + stepDispatches + " dispatches: each should use every thread");
                losses.add(cg.lossSum());
            }
            List<float[]> state = new ArrayList<>();
            for (int p = 0; p < cg.parameters().size(); p++) {
                state.add(cg.readParameter(p));
                for (int slot = 0; slot < cg.optimizerSlots(); slot++) {
                    state.add(cg.readSlot(slot, p));
                }
            }
            return new Outcome(state, losses.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /** Dispatches and parts of one full training step. */
    private static long[] trainStepCounts(CompiledGraph cg, KernelPool pool) {
        cg.loadInputs(GraphFixtures.randomRows(BATCH, IN, 1), null, 0, BATCH);
        cg.loadLabels(GraphFixtures.randomLabels(BATCH, CLASSES, 1), null, 0, BATCH);
        long dispatches = pool.dispatches();
        long parts = pool.partsDispatched();
        cg.trainStep(BATCH);
        return new long[] {pool.dispatches() - dispatches, pool.partsDispatched() - parts};
    }

    /** input → dense (gelu) → batch norm → dense → softmax, the softmax fused with its cross-entropy. */
    private static CompiledGraph compile(UpdateRule rule, GradientClip clip, KernelPool pool) {
        Graph g = new Graph(IN);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", IN, HIDDEN)), g.input());
        n = g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", HIDDEN)), n);
        n = g.add("dense/act", new Activate(Activation.GELU), n);
        n = g.add("norm", new BatchNorm(new Parameter("norm/gamma", HIDDEN), new Parameter("norm/beta", HIDDEN),
                new Parameter("norm/moving_mean", null, false, HIDDEN),
                Parameter.nonNegativeState("norm/moving_variance", HIDDEN), 0.9f, 1e-3f), n);
        n = g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", HIDDEN, CLASSES)), n);
        n = g.add("dense_1/bias_add", new BiasAdd(new Parameter("dense_1/bias", CLASSES)), n);
        g.add("dense_1/act", new Activate(Activation.SOFTMAX), n);
        CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false), List.of(), rule, pool);
        GraphFixtures.randomize(cg, 14);
        cg.setGradientClip(clip);
        cg.ensureCapacity(BATCH);
        return cg;
    }

    private static int[] shuffled(int n, long seed) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random r = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }
}
