package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LayerNorm and BatchNorm inside compiled graphs: finite-difference gradients of every parameter and of
 * the layers before them, moving statistics, inference with them, and no optimizer update of state.
 * (Allocation is checked in {@code NormalizationAllocationTest}, in a JVM of its own.)
 */
class NormalizationGraphTest {
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);
    private static final int IN = 5;
    private static final int HIDDEN = 7;
    private static final int OUT = 3;

    /** input → matmul → norm → tanh → matmul → bias. */
    static Graph graph(boolean batchNorm, boolean affine, float momentum) {
        return graph(batchNorm, affine, momentum, HIDDEN);
    }

    static Graph graph(boolean batchNorm, boolean affine, float momentum, int hidden) {
        Graph g = new Graph(IN);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", IN, hidden)), g.input());
        Parameter gamma = affine ? new Parameter("norm/gamma", hidden) : null;
        Parameter beta = affine ? new Parameter("norm/beta", hidden) : null;
        Op norm = batchNorm
                ? new BatchNorm(gamma, beta, new Parameter("norm/moving_mean", null, false, hidden),
                        Parameter.nonNegativeState("norm/moving_variance", hidden), momentum, 1e-3f)
                : new LayerNorm(gamma, beta, 1e-3f);
        n = g.add("norm", norm, n);
        n = g.add("act", new Activate(Activation.TANH), n);
        n = g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", hidden, OUT)), n);
        g.add("dense_1/bias_add", new BiasAdd(new Parameter("dense_1/bias", OUT)), n);
        return g;
    }

    static CompiledGraph compiled(Graph g, UpdateRule rule, KernelPool pool, int rows) {
        CompiledGraph cg = Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(), rule, pool);
        GraphFixtures.randomize(cg, 5);
        cg.ensureCapacity(rows);
        cg.loadInputs(GraphFixtures.randomRows(rows, IN, 3), null, 0, rows);
        cg.loadTargets(GraphFixtures.randomTargets(rows, OUT, 7, false), null, 0, rows);
        return cg;
    }

    @ParameterizedTest(name = "batch norm {0}, affine {1}, rows {2}")
    @CsvSource({"false, true, 6", "false, false, 6", "true, true, 9", "true, false, 9", "true, true, 2"})
    void gradientsMatchFiniteDifferences(boolean batchNorm, boolean affine, int rows) {
        try (KernelPool pool = new KernelPool(2); CompiledGraph cg = compiled(graph(batchNorm, affine, 0.9f), FROZEN, pool, rows)) {
            if (batchNorm) {
                // Non-trainable state is not differentiated: only the trainable parameters.
                GradientCheck.check(cg, rows, 8, 13, p -> cg.parameters().get(p).trainable(), 1e-2, true);
            } else {
                GradientCheck.check(cg, rows, 8, 13, p -> true, 1e-2);
            }
        }
    }

    /** input → matmul → frozen batch norm (non-trainable gamma, beta) → tanh → matmul → bias. */
    static Graph frozenBatchNormGraph() {
        Graph g = new Graph(IN);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", IN, HIDDEN)), g.input());
        n = g.add("norm", new BatchNorm(new Parameter("norm/gamma", null, false, HIDDEN),
                new Parameter("norm/beta", null, false, HIDDEN), new Parameter("norm/moving_mean", null, false, HIDDEN),
                Parameter.nonNegativeState("norm/moving_variance", HIDDEN), 0.5f, 1e-3f, true), n);
        n = g.add("act", new Activate(Activation.TANH), n);
        n = g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", HIDDEN, OUT)), n);
        g.add("dense_1/bias_add", new BiasAdd(new Parameter("dense_1/bias", OUT)), n);
        return g;
    }

    @ParameterizedTest(name = "rows {0}")
    @CsvSource({"1", "6", "9"})
    void aFrozenBatchNormTrainsAsInInferenceAndPassesGradientsThrough(int rows) {
        try (KernelPool pool = new KernelPool(2); CompiledGraph cg = compiled(frozenBatchNormGraph(), FROZEN, pool, rows)) {
            // The moving statistics normalize: the training loss is the evaluated loss.
            cg.evaluateStep(rows);
            double evaluated = cg.lossSum();
            List<float[]> before = List.of(cg.readParameter(1), cg.readParameter(2), cg.readParameter(3),
                    cg.readParameter(4));
            cg.trainStep(rows);
            assertEquals(evaluated, cg.lossSum(), 1e-9 * Math.max(1, Math.abs(evaluated)));
            for (int p = 1; p <= 4; p++) {
                assertArrayEquals(before.get(p - 1), cg.readParameter(p), cg.parameters().get(p).name() + " stays");
            }
            // dx = dy·γ/√(σ²_moving + ε) reaches the kernel before the norm: finite differences agree.
            GradientCheck.check(cg, rows, 8, 17, p -> cg.parameters().get(p).trainable(), 1e-2, true);
        }
    }

    @Test
    void batchNormMovesItsStatisticsInTrainingAndUsesThemInInference() {
        int rows = 8;
        float momentum = 0.75f;
        // A large learning rate: any update of the moving statistics by the optimizer would show.
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = compiled(graph(true, true, momentum), new GradientDescentRule(0.5f, 0f, false),
                        pool, rows)) {
            int mmIndex = 3;
            int mvIndex = 4;
            assertEquals("norm/moving_mean", cg.parameters().get(mmIndex).name());
            float[] mm0 = cg.readParameter(mmIndex);
            float[] mv0 = cg.readParameter(mvIndex);
            float[][] x = GraphFixtures.randomRows(rows, IN, 3);
            float[] kernel = cg.readParameter(0);
            // The batch statistics of x·W, per hidden column.
            double[] mean = new double[HIDDEN];
            double[] var = new double[HIDDEN];
            double[][] h = new double[rows][HIDDEN];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < HIDDEN; j++) {
                    for (int k = 0; k < IN; k++) {
                        h[i][j] += x[i][k] * kernel[k * HIDDEN + j];
                    }
                    mean[j] += h[i][j] / rows;
                }
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < HIDDEN; j++) {
                    var[j] += (h[i][j] - mean[j]) * (h[i][j] - mean[j]) / rows;
                }
            }
            cg.trainStep(rows);
            float[] mm1 = cg.readParameter(mmIndex);
            float[] mv1 = cg.readParameter(mvIndex);
            for (int j = 0; j < HIDDEN; j++) {
                assertEquals(mm0[j] * momentum + mean[j] * (1 - momentum), mm1[j], 1e-5, "moving mean " + j);
                assertEquals(mv0[j] * momentum + var[j] * (1 - momentum), mv1[j], 1e-5, "moving variance " + j);
            }
            // Evaluation leaves them alone and normalizes with them: set them to the batch's own statistics
            // (ε aside), and inference equals a training forward of the same batch.
            float[] batchMean = new float[HIDDEN];
            float[] batchVar = new float[HIDDEN];
            float[] k1 = cg.readParameter(0);
            double[] m2 = new double[HIDDEN];
            double[] v2 = new double[HIDDEN];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < HIDDEN; j++) {
                    double s = 0;
                    for (int k = 0; k < IN; k++) {
                        s += x[i][k] * k1[k * HIDDEN + j];
                    }
                    h[i][j] = s;
                    m2[j] += s / rows;
                }
            }
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < HIDDEN; j++) {
                    v2[j] += (h[i][j] - m2[j]) * (h[i][j] - m2[j]) / rows;
                }
            }
            for (int j = 0; j < HIDDEN; j++) {
                batchMean[j] = (float) m2[j];
                batchVar[j] = (float) v2[j];
            }
            cg.writeParameter(mmIndex, batchMean);
            cg.writeParameter(mvIndex, batchVar);
            cg.evaluateStep(rows);
            double inference = cg.lossSum();
            assertArrayEquals(batchMean, cg.readParameter(mmIndex), 0f);
            try (CompiledGraph frozen = compiled(graph(true, true, momentum), FROZEN, pool, rows)) {
                for (int p = 0; p < cg.parameters().size(); p++) {
                    frozen.writeParameter(p, cg.readParameter(p));
                }
                frozen.trainStep(rows);
                assertEquals(frozen.lossSum(), inference, 1e-4 * (1 + Math.abs(inference)));
            }
        }
    }

    @Test
    void theUpdateSkipsNonTrainableStateEvenWithMomentumZeroLearningRateOrAdam() {
        int rows = 4;
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph cg = compiled(graph(true, true, 1f), new AdamRule(0.3f, 0.9f, 0.999f, 1e-7f, 0.1f),
                        pool, rows)) {
            // momentum 1: the moving statistics keep their values unless something else writes them.
            float[] mm = cg.readParameter(3);
            float[] mv = cg.readParameter(4);
            float[] gamma = cg.readParameter(1);
            for (int i = 0; i < 3; i++) {
                cg.trainStep(rows);
            }
            assertArrayEquals(mm, cg.readParameter(3), 0f);
            assertArrayEquals(mv, cg.readParameter(4), 0f);
            assertTrue(!java.util.Arrays.equals(gamma, cg.readParameter(1)), "gamma is trained");
        }
    }
}
