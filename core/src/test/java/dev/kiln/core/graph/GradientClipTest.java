package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.GradientClip;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clipping inside a compiled graph: the clipped gradients against a scalar reference computed from
 * the unclipped gradients of an identical graph, and the SGD update made from the clipped gradients.
 * That clipping gives the same bits on any thread count is {@link SplitDeterminismTest}'s, at a size where
 * it splits (this graph's 12,905 floats stay on one thread).
 */
class GradientClipTest {
    private static final int ROWS = 13;
    private static final float LR = 0.1f;

    /** Gradients after one training step from the fixture's weights and batch, and the weights after it. */
    private record Step(List<float[]> gradients, List<float[]> weights) {
    }

    private static Step trainOnce(GradientClip clip, int threads) {
        // 37·300 + 300 + 300·5 floats: the first kernel spans several clip chunks.
        Graph g = GraphFixtures.twoLayer(37, 300, 5, Activation.TANH, Activation.SOFTMAX, true);
        try (KernelPool pool = new KernelPool(threads);
                CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false), List.of(),
                        new GradientDescentRule(LR, 0f, false), pool)) {
            GraphFixtures.randomize(cg, 5);
            cg.setGradientClip(clip);
            cg.ensureCapacity(ROWS);
            cg.loadInputs(GraphFixtures.randomRows(ROWS, 37, 6), null, 0, ROWS);
            cg.loadLabels(GraphFixtures.randomLabels(ROWS, 5, 7), null, 0, ROWS);
            cg.trainStep(ROWS);
            List<float[]> grads = new ArrayList<>();
            List<float[]> weights = new ArrayList<>();
            for (int i = 0; i < cg.parameters().size(); i++) {
                grads.add(cg.readGradient(i));
                weights.add(cg.readParameter(i));
            }
            return new Step(grads, weights);
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }

    private static List<float[]> initialWeights() {
        Graph g = GraphFixtures.twoLayer(37, 300, 5, Activation.TANH, Activation.SOFTMAX, true);
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false), List.of(),
                        new GradientDescentRule(LR, 0f, false), pool)) {
            GraphFixtures.randomize(cg, 5);
            List<float[]> w = new ArrayList<>();
            for (int i = 0; i < cg.parameters().size(); i++) {
                w.add(cg.readParameter(i));
            }
            return w;
        }
    }

    private static void assertClose(List<float[]> expected, List<float[]> actual, String what) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            for (int j = 0; j < expected.get(i).length; j++) {
                float e = expected.get(i)[j];
                assertEquals(e, actual.get(i)[j], 1e-6f + 1e-5f * Math.abs(e), what + ": parameter " + i + " element " + j);
            }
        }
    }

    @Test
    void clipnormRescalesEachParameterOnItsOwn() {
        List<float[]> raw = trainOnce(GradientClip.NONE, 1).gradients();
        // A threshold between the smallest and largest norms: some gradients are cut, others kept.
        double[] norms = raw.stream().mapToDouble(GradientClipTest::norm).sorted().toArray();
        float c = (float) ((norms[0] + norms[norms.length - 1]) / 2);
        List<float[]> expected = new ArrayList<>();
        for (float[] g : raw) {
            double factor = c / Math.max(norm(g), c);
            float[] e = new float[g.length];
            for (int j = 0; j < g.length; j++) {
                e[j] = (float) (g[j] * factor);
            }
            expected.add(e);
        }
        Step clipped = trainOnce(new GradientClip(GradientClip.Mode.NORM, c), 1);
        assertClose(expected, clipped.gradients(), "clipnorm " + c);
        for (float[] g : clipped.gradients()) {
            assertTrue(norm(g) <= c * (1 + 1e-5), "each norm at most " + c + ", got " + norm(g));
        }
        assertSgdUsed(clipped);
    }

    @Test
    void globalClipnormRescalesAllGradientsByOneFactor() {
        List<float[]> raw = trainOnce(GradientClip.NONE, 1).gradients();
        double total = Math.sqrt(raw.stream().mapToDouble(g -> norm(g) * norm(g)).sum());
        float c = (float) (total / 3);
        List<float[]> expected = new ArrayList<>();
        for (float[] g : raw) {
            float[] e = new float[g.length];
            for (int j = 0; j < g.length; j++) {
                e[j] = (float) (g[j] * (c / total));
            }
            expected.add(e);
        }
        Step clipped = trainOnce(new GradientClip(GradientClip.Mode.GLOBAL_NORM, c), 1);
        assertClose(expected, clipped.gradients(), "global clipnorm " + c);
        assertSgdUsed(clipped);
        // A threshold above the norm changes nothing.
        Step loose = trainOnce(new GradientClip(GradientClip.Mode.GLOBAL_NORM, (float) (total * 2)), 1);
        for (int i = 0; i < raw.size(); i++) {
            assertArrayEquals(raw.get(i), loose.gradients().get(i));
        }
    }

    @Test
    void clipvalueBoundsEachElement() {
        List<float[]> raw = trainOnce(GradientClip.NONE, 1).gradients();
        float c = 1e-3f;
        List<float[]> expected = new ArrayList<>();
        for (float[] g : raw) {
            float[] e = new float[g.length];
            for (int j = 0; j < g.length; j++) {
                e[j] = Math.min(Math.max(g[j], -c), c);
            }
            expected.add(e);
        }
        Step clipped = trainOnce(new GradientClip(GradientClip.Mode.VALUE, c), 1);
        for (int i = 0; i < raw.size(); i++) {
            assertArrayEquals(expected.get(i), clipped.gradients().get(i), "parameter " + i);
        }
        assertSgdUsed(clipped);
    }

    @Test
    void rejectsBadThresholds() {
        assertThrows(IllegalArgumentException.class, () -> new GradientClip(GradientClip.Mode.NORM, 0f));
        assertThrows(IllegalArgumentException.class, () -> new GradientClip(GradientClip.Mode.VALUE, Float.NaN));
        assertThrows(IllegalArgumentException.class, () -> new GradientClip(GradientClip.Mode.GLOBAL_NORM, -1f));
        assertThrows(IllegalArgumentException.class, () -> new GradientClip(null, 1f));
    }

    /** Plain SGD: the weights moved by exactly −lr·(clipped gradient), as the optimizer's own arithmetic does it. */
    private static void assertSgdUsed(Step step) {
        List<float[]> w0 = initialWeights();
        for (int i = 0; i < w0.size(); i++) {
            for (int j = 0; j < w0.get(i).length; j++) {
                float expected = w0.get(i)[j] - step.gradients().get(i)[j] * LR;
                assertEquals(expected, step.weights().get(i)[j], 0f, "parameter " + i + " element " + j);
            }
        }
    }
}
