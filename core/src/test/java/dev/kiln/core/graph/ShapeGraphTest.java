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
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Shapes through the graph: examples of rank 3 (channels last), normalization over the last axis (batch
 * norm's statistics over the batch and every position), a reshape that moves no data, and ops that need
 * flat examples refusing others by name.
 */
class ShapeGraphTest {
    private static final Shape IMAGE = Shape.of(2, 3, 4); // 2×3 positions of 4 channels
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);

    /** input [2,3,4] → norm over the 4 channels → flatten to [24] → matmul [24×3] + bias. */
    private static Graph graph(boolean batchNorm) {
        Graph g = new Graph(IMAGE);
        Parameter gamma = new Parameter("norm/gamma", 4);
        Parameter beta = new Parameter("norm/beta", 4);
        Op norm = batchNorm
                ? new BatchNorm(gamma, beta, new Parameter("norm/moving_mean", null, false, 4),
                        Parameter.nonNegativeState("norm/moving_variance", 4), 0.5f, 1e-3f)
                : new LayerNorm(gamma, beta, 1e-3f);
        Node n = g.add("norm", norm, g.input());
        n = g.add("flatten", new Reshape(Shape.of(24)), n);
        n = g.add("dense", new MatMul(new Parameter("dense/kernel", 24, 3)), n);
        g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 3)), n);
        return g;
    }

    private static CompiledGraph compiled(Graph g, KernelPool pool, int rows) {
        CompiledGraph cg = Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(), FROZEN, pool);
        GraphFixtures.randomize(cg, 5);
        cg.ensureCapacity(rows);
        cg.loadInputs(GraphFixtures.randomRows(rows, IMAGE.size(), 3), null, 0, rows);
        cg.loadTargets(GraphFixtures.randomTargets(rows, 3, 7, false), null, 0, rows);
        return cg;
    }

    @Test
    void shapesAreInferredThroughTheGraph() {
        try (KernelPool pool = new KernelPool(1); CompiledGraph cg = compiled(graph(true), pool, 5)) {
            assertEquals(IMAGE, cg.inputShape());
            assertEquals(Shape.of(3), cg.outputShape());
            assertEquals(24, cg.inputWidth());
            assertTrue(cg.nodes().stream().anyMatch(n -> n.op() instanceof Reshape), "the reshape is in the plan");
        }
    }

    @Test
    void normalizationOverTheLastAxisOfImagesHasRightGradients() {
        for (boolean batchNorm : new boolean[] {false, true}) {
            try (KernelPool pool = new KernelPool(2); CompiledGraph cg = compiled(graph(batchNorm), pool, 5)) {
                GradientCheck.check(cg, 5, 8, 11, p -> cg.parameters().get(p).trainable(), 1e-2, batchNorm);
            }
        }
    }

    /** Batch norm's moving mean follows the per-channel mean over the batch and all 6 positions. */
    @Test
    void batchNormStatisticsAreOverTheBatchAndEveryPosition() {
        int rows = 5;
        try (KernelPool pool = new KernelPool(2); CompiledGraph cg = compiled(graph(true), pool, rows)) {
            float[] before = cg.readParameter(2);
            assertEquals("norm/moving_mean", cg.parameters().get(2).name());
            float[][] x = GraphFixtures.randomRows(rows, IMAGE.size(), 3);
            cg.trainStep(rows);
            float[] after = cg.readParameter(2);
            for (int c = 0; c < 4; c++) {
                double mean = 0;
                for (float[] example : x) {
                    for (int position = 0; position < 6; position++) {
                        mean += example[position * 4 + c];
                    }
                }
                mean /= rows * 6;
                assertEquals(before[c] * 0.5 + mean * 0.5, after[c], 1e-5, "channel " + c);
            }
        }
    }

    /** The reshape runs nothing: predicting through it equals predicting without it, bit for bit. */
    @Test
    void aReshapeMovesNoData() {
        try (KernelPool pool = new KernelPool(1)) {
            Graph flat = new Graph(Shape.of(24));
            Node n = flat.add("dense", new MatMul(new Parameter("dense/kernel", 24, 3)), flat.input());
            flat.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 3)), n);
            Graph shaped = new Graph(IMAGE);
            n = shaped.add("flatten", new Reshape(Shape.of(24)), shaped.input());
            n = shaped.add("dense", new MatMul(new Parameter("dense/kernel", 24, 3)), n);
            shaped.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 3)), n);
            float[][] results = new float[2][];
            int k = 0;
            for (Graph g : List.of(flat, shaped)) {
                try (CompiledGraph cg = compiled(g, pool, 4)) {
                    cg.predictStep(4);
                    float[][] out = new float[4][3];
                    cg.readOutputs(out, 0, 4);
                    results[k++] = out[3];
                }
            }
            assertArrayEquals(results[0], results[1]);
        }
    }

    @Test
    void opsThatNeedFlatExamplesSaySo() {
        try (KernelPool pool = new KernelPool(1)) {
            opsThatNeedFlatExamplesSaySo(pool);
        }
    }

    private static void opsThatNeedFlatExamplesSaySo(KernelPool pool) {
        Graph g = new Graph(IMAGE);
        g.add("dense", new MatMul(new Parameter("dense/kernel", 24, 3)), g.input());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Compiler.compile(g,
                new MeanSquaredErrorLoss(), List.of(), FROZEN, pool));
        assertEquals("node 'dense': matmul kernel dense/kernel[24, 3] needs flat examples but gets examples of shape"
                + " [2, 3, 4]; reshape (flatten) them first", e.getMessage());
        Graph soft = new Graph(IMAGE);
        soft.add("softmax", new Activate(Activation.SOFTMAX), soft.input());
        assertThrows(IllegalArgumentException.class, () -> Compiler.compile(soft,
                new MeanSquaredErrorLoss(), List.of(), FROZEN, pool));
        Graph bad = new Graph(IMAGE);
        bad.add("reshape", new Reshape(Shape.of(25)), bad.input());
        e = assertThrows(IllegalArgumentException.class, () -> Compiler.compile(bad,
                new MeanSquaredErrorLoss(), List.of(), FROZEN, pool));
        assertEquals("node 'reshape': cannot reshape examples of shape [2, 3, 4] (24 values) to [25] (25 values)",
                e.getMessage());
    }
}
