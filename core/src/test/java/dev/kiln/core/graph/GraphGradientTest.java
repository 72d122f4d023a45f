package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.BinaryCrossEntropyLoss;
import dev.kiln.core.runtime.CategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.CategoricalHingeLoss;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.HingeLoss;
import dev.kiln.core.runtime.HuberLoss;
import dev.kiln.core.runtime.KLDivergenceLoss;
import dev.kiln.core.runtime.LogCoshLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MeanAbsoluteErrorLoss;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.MeanSquaredLogarithmicErrorLoss;
import dev.kiln.core.runtime.PoissonLoss;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.SquaredHingeLoss;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Finite-difference checks of the whole compiled backward pass: the gradient a training step leaves
 * in each parameter's gradient buffer must match (L(w+h) − L(w−h)) / 2h of the evaluated loss.
 * Learning rate 0 keeps the weights where they are while the step computes the gradients. Each case
 * is checked unweighted and with a weight per row (0 among them), which the loss applies row by row.
 */
class GraphGradientTest {
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);

    /**
     * Not MAPE: its slope at a kink is 100/|target|, so a step of 1e-2 across one is far off; its kernel is
     * checked with central differences away from the kink (LossGradientTest).
     */
    static List<Arguments> cases() {
        return List.of(
                Arguments.of(Activation.RELU, Activation.SOFTMAX, new SparseCategoricalCrossEntropyLoss(false), true),
                Arguments.of(Activation.TANH, Activation.SOFTMAX, new CategoricalCrossEntropyLoss(false), true),
                Arguments.of(Activation.SIGMOID, Activation.LINEAR, new SparseCategoricalCrossEntropyLoss(true), true),
                Arguments.of(Activation.GELU, Activation.LINEAR, new MeanSquaredErrorLoss(), true),
                Arguments.of(Activation.SILU, Activation.SIGMOID, new BinaryCrossEntropyLoss(false), true),
                Arguments.of(Activation.ELU, Activation.LINEAR, new BinaryCrossEntropyLoss(true), false),
                Arguments.of(Activation.LEAKY_RELU, Activation.TANH, new MeanAbsoluteErrorLoss(), true),
                Arguments.of(Activation.RELU, Activation.SOFTMAX, new MeanSquaredErrorLoss(), true),
                Arguments.of(Activation.TANH, Activation.LINEAR, new CategoricalCrossEntropyLoss(true), true),
                // Label smoothing, with the output activation absorbed by the loss and computed on its own.
                Arguments.of(Activation.TANH, Activation.SOFTMAX, new CategoricalCrossEntropyLoss(false, 0.2f), true),
                Arguments.of(Activation.TANH, Activation.SOFTMAX, new CategoricalCrossEntropyLoss(false, 0.2f), false),
                Arguments.of(Activation.RELU, Activation.LINEAR, new CategoricalCrossEntropyLoss(true, 0.1f), true),
                Arguments.of(Activation.SILU, Activation.SIGMOID, new BinaryCrossEntropyLoss(false, 0.2f), true),
                Arguments.of(Activation.SILU, Activation.SIGMOID, new BinaryCrossEntropyLoss(false, 0.2f), false),
                Arguments.of(Activation.ELU, Activation.LINEAR, new BinaryCrossEntropyLoss(true, 0.1f), true),
                // The regression losses Keras users reach for; Poisson and MSLE on positive (sigmoid) outputs.
                Arguments.of(Activation.TANH, Activation.LINEAR, new HuberLoss(0.5f), true),
                Arguments.of(Activation.GELU, Activation.SIGMOID, new MeanSquaredLogarithmicErrorLoss(), true),
                Arguments.of(Activation.SILU, Activation.LINEAR, new LogCoshLoss(), true),
                Arguments.of(Activation.RELU, Activation.SIGMOID, new PoissonLoss(), true),
                // The margin losses on raw scores, and KL divergence on a softmax it does not absorb.
                Arguments.of(Activation.TANH, Activation.LINEAR, new HingeLoss(), true),
                Arguments.of(Activation.SILU, Activation.LINEAR, new SquaredHingeLoss(), true),
                Arguments.of(Activation.GELU, Activation.LINEAR, new CategoricalHingeLoss(), true),
                Arguments.of(Activation.TANH, Activation.SOFTMAX, new KLDivergenceLoss(), true));
    }

    @ParameterizedTest(name = "{0} hidden, {1} output, {2}, fused={3}")
    @MethodSource("cases")
    void parameterGradientsMatchFiniteDifferences(Activation hidden, Activation out, LossFunction loss, boolean fuse) {
        check(hidden, out, loss, fuse, null);
    }

    @ParameterizedTest(name = "weighted: {0} hidden, {1} output, {2}, fused={3}")
    @MethodSource("cases")
    void weightedParameterGradientsMatchFiniteDifferences(Activation hidden, Activation out, LossFunction loss,
            boolean fuse) {
        check(hidden, out, loss, fuse, new float[] {1f, 0f, 2.5f, 0.5f, 3f, 0f, 1.25f});
    }

    /** {@code weights} null checks the unweighted loss. */
    private static void check(Activation hidden, Activation out, LossFunction loss, boolean fuse, float[] weights) {
        int rows = 7;
        int in = 5;
        int width = 3;
        Graph g = GraphFixtures.twoLayer(in, 6, width, hidden, out, true);
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = GraphFixtures.compile(g, loss, FROZEN, fuse, pool, List.of())) {
            GraphFixtures.randomize(cg, 11);
            cg.ensureCapacity(rows);
            float[][] x = GraphFixtures.randomRows(rows, in, 3);
            cg.loadInputs(x, null, 0, rows);
            if (loss.targetWidth(width) == 1) { // class indices
                cg.loadLabels(GraphFixtures.randomLabels(rows, width, 5), null, 0, rows);
            } else {
                boolean categorical = loss instanceof CategoricalCrossEntropyLoss;
                cg.loadTargets(GraphFixtures.randomTargets(rows, width, 5, categorical), null, 0, rows);
            }
            loadWeights(cg, weights, rows);
            cg.trainStep(rows);
            Random pick = new Random(17);
            for (int p = 0; p < cg.parameters().size(); p++) {
                float[] analytic = cg.readGradient(p);
                float[] w = cg.readParameter(p);
                for (int trial = 0; trial < 6; trial++) {
                    int j = pick.nextInt(w.length);
                    double numeric = numeric(cg, p, w, j, rows, 1e-2, weights);
                    double tolerance = 2e-3 + 3e-2 * Math.abs(numeric);
                    assertEquals(numeric, analytic[j], tolerance,
                            () -> cg.parameters().toString() + " element " + j);
                }
            }
        }
    }

    /** The central difference of the (weighted) evaluated loss in parameter {@code p}'s element j. */
    private static double numeric(CompiledGraph cg, int p, float[] w, int j, int rows, double h, float[] weights) {
        float original = w[j];
        w[j] = (float) (original + h);
        double plus = loss(cg, p, w, rows, weights);
        w[j] = (float) (original - h);
        double minus = loss(cg, p, w, rows, weights);
        w[j] = original;
        cg.writeParameter(p, w);
        assertTrue(Double.isFinite(plus) && Double.isFinite(minus));
        return (plus - minus) / ((double) (float) (original + h) - (float) (original - h));
    }

    private static double loss(CompiledGraph cg, int p, float[] w, int rows, float[] weights) {
        cg.writeParameter(p, w);
        loadWeights(cg, weights, rows);
        cg.evaluateStep(rows);
        return cg.lossSum() / rows;
    }

    private static void loadWeights(CompiledGraph cg, float[] weights, int rows) {
        if (weights != null) {
            cg.loadSampleWeights(weights, null, 0, rows);
        }
    }
}
