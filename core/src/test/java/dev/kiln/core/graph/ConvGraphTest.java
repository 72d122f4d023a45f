package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.Padding;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.UpdateRule;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Convolution and pooling as graph ops: shapes inferred through a convnet, gradients of every op against
 * central differences for each padding and for strides 1 and 2 (the input gradients through a first
 * convolution whose kernel gradient depends on them), and training that gives the same bits on 1, 2 and 3
 * threads with the convolutions and poolings really split.
 */
class ConvGraphTest {
    private static final UpdateRule FROZEN = new GradientDescentRule(0f, 0f, false);
    private static final Shape IMAGE = Shape.of(7, 6, 2);

    /** conv(3×3, 3 filters, tanh) → the op under test → flatten → dense 2, MSE. */
    private static Graph around(Function<Node, Op> opAfterConv, Graph g) {
        Node n = g.add("conv", new Conv2D(new Parameter("conv/kernel", 3, 3, 2, 3), new Parameter("conv/bias", 3), 1, 1,
                Padding.SAME, Activation.TANH), g.input());
        n = g.add("op", opAfterConv.apply(n), n);
        return g;
    }

    private static CompiledGraph compiled(Graph g, KernelPool pool, int rows) {
        Node last = g.nodes().get(g.nodes().size() - 1);
        Shape[] shapes = ShapeInference.shapes(g.nodes());
        Shape shape = shapes[shapes.length - 1];
        Node flat = g.add("flatten", new Reshape(Shape.of(shape.size())), last);
        Node dense = g.add("dense", new MatMul(new Parameter("dense/kernel", shape.size(), 2)), flat);
        g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 2)), dense);
        CompiledGraph cg = Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(), FROZEN, pool);
        GraphFixtures.randomize(cg, 5);
        cg.ensureCapacity(rows);
        cg.loadInputs(GraphFixtures.randomRows(rows, IMAGE.size(), 3), null, 0, rows);
        cg.loadTargets(GraphFixtures.randomTargets(rows, 2, 7, false), null, 0, rows);
        return cg;
    }

    private static void checkGradients(Function<Node, Op> op, double h) {
        try (KernelPool pool = new KernelPool(2); CompiledGraph cg = compiled(around(op, new Graph(IMAGE)), pool, 3)) {
            GradientCheck.check(cg, 3, 12, 11, p -> true, h);
        }
    }

    @Test
    void convolutionGradientsForEachPaddingAndStride() {
        for (Padding padding : Padding.values()) {
            for (int stride : new int[] {1, 2}) {
                for (Activation act : new Activation[] {Activation.LINEAR, Activation.TANH, Activation.SIGMOID}) {
                    int s = stride;
                    checkGradients(n -> new Conv2D(new Parameter("conv_1/kernel", 2, 3, 3, 4),
                            new Parameter("conv_1/bias", 4), s, s + 1, padding, act), 1e-2);
                }
            }
        }
    }

    @Test
    void convolutionWithoutBias() {
        checkGradients(n -> new Conv2D(new Parameter("conv_1/kernel", 3, 3, 3, 2), null, 1, 1, Padding.VALID,
                Activation.ELU), 1e-2);
    }

    @Test
    void poolingGradientsForEachPaddingAndStride() {
        for (Padding padding : Padding.values()) {
            for (int stride : new int[] {1, 2}) {
                PoolWindow window = new PoolWindow(2, 3, stride, stride, padding);
                // Small steps: a larger one could move a window's maximum to another element.
                checkGradients(n -> new MaxPool2D(window), 1e-3);
                checkGradients(n -> new AveragePool2D(window), 1e-2);
            }
        }
    }

    @Test
    void globalPoolingGradients() {
        checkGradients(n -> new GlobalMaxPool2D(), 1e-3);
        checkGradients(n -> new GlobalAveragePool2D(), 1e-2);
    }

    @Test
    void shapesThroughTheSimpleConvnet() {
        try (KernelPool pool = new KernelPool(1); CompiledGraph cg = convnet(FROZEN, pool, 4)) {
            List<Shape> shapes = List.of(ShapeInference.shapes(cg.nodes()));
            assertEquals(List.of(Shape.of(28, 28, 1), Shape.of(26, 26, 8), Shape.of(13, 13, 8), Shape.of(11, 11, 16),
                    Shape.of(5, 5, 16), Shape.of(400), Shape.of(10), Shape.of(10)), shapes);
        }
    }

    @Test
    void imageOpsRefuseWhatTheyCannotTakeByName() {
        try (KernelPool pool = new KernelPool(1)) {
            Graph flat = new Graph(Shape.of(784));
            flat.add("conv", new Conv2D(new Parameter("conv/kernel", 3, 3, 1, 4), null, 1, 1, Padding.VALID,
                    Activation.RELU), flat.input());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Compiler.compile(flat, new MeanSquaredErrorLoss(), List.of(), FROZEN, pool));
            assertEquals("node 'conv': convolution conv/kernel needs images of shape [height, width, channels] but gets"
                    + " examples of shape [784]; reshape them first (e.g. [784] to [28, 28, 1])", e.getMessage());

            Graph channels = new Graph(Shape.of(8, 8, 3));
            channels.add("conv", new Conv2D(new Parameter("conv/kernel", 3, 3, 1, 4), null, 1, 1, Padding.VALID,
                    Activation.RELU), channels.input());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Compiler.compile(channels, new MeanSquaredErrorLoss(), List.of(), FROZEN, pool));
            assertEquals("node 'conv': convolution conv/kernel expects images with 1 channels but gets examples of"
                    + " shape [8, 8, 3]", e.getMessage());

            Graph small = new Graph(Shape.of(2, 2, 1));
            small.add("pool", new MaxPool2D(new PoolWindow(3, 3, 1, 1, Padding.VALID)), small.input());
            e = assertThrows(IllegalArgumentException.class,
                    () -> Compiler.compile(small, new MeanSquaredErrorLoss(), List.of(), FROZEN, pool));
            assertTrue(e.getMessage().startsWith("node 'pool': max pooling 3×3 stride 1×1 valid cannot slide over"
                    + " images of shape [2, 2, 1]"), e.getMessage());
        }
    }

    /** Training the convnet gives the same bits on 1, 2 and 3 threads, and each dispatch really splits. */
    @Test
    void trainingIsBitIdenticalOnOneTwoAndThreeThreads() {
        List<float[]> one = train(1);
        for (int threads : new int[] {2, 3}) {
            List<float[]> other = train(threads);
            assertEquals(one.size(), other.size());
            for (int i = 0; i < one.size(); i++) {
                assertArrayEquals(one.get(i), other.get(i), "state array " + i + " with " + threads + " threads");
            }
        }
    }

    private static List<float[]> train(int threads) {
        int batch = 24;
        int rows = 2 * batch + 17;
        float[][] x = GraphFixtures.randomRows(rows, 28 * 28, 21);
        int[] y = GraphFixtures.randomLabels(rows, 10, 22);
        List<float[]> state = new ArrayList<>();
        try (KernelPool pool = new KernelPool(threads);
                CompiledGraph cg = convnet(new AdamRule(1e-2f, 0.9f, 0.999f, 1e-7f, 0f), pool, batch)) {
            double[] losses = new double[3];
            for (int from = 0, step = 0; from < rows; from += batch, step++) {
                int n = Math.min(batch, rows - from);
                cg.loadInputs(x, null, from, n);
                cg.loadLabels(y, null, from, n);
                long dispatches = pool.dispatches();
                long parts = pool.partsDispatched();
                cg.trainStep(n);
                if (n == batch) {
                    // The small dense layer and weight packs stay on one thread; the convolutions' and
                    // poolings' products and passes over the batch must not.
                    long split = (pool.partsDispatched() - parts) - (pool.dispatches() - dispatches);
                    assertTrue(split >= 8L * (threads - 1), "a full step on " + threads + " threads split only "
                            + split + " extra parts");
                }
                losses[step] = cg.lossSum();
            }
            state.add(new float[] {(float) losses[0], (float) losses[1], (float) losses[2]});
            for (int p = 0; p < cg.parameters().size(); p++) {
                state.add(cg.readParameter(p));
                state.add(cg.readSlot(0, p));
                state.add(cg.readSlot(1, p));
            }
            cg.predictStep(1);
            float[][] out = new float[1][10];
            cg.readOutputs(out, 0, 1);
            state.add(out[0]);
        }
        return state;
    }

    /** Keras' simple MNIST convnet at a quarter of its width: conv 8 → pool → conv 16 → pool → flatten → dense 10. */
    private static CompiledGraph convnet(UpdateRule rule, KernelPool pool, int batch) {
        Graph g = new Graph(Shape.of(28, 28, 1));
        Node n = g.add("conv2d", new Conv2D(new Parameter("conv2d/kernel", 3, 3, 1, 8), new Parameter("conv2d/bias", 8),
                1, 1, Padding.VALID, Activation.RELU), g.input());
        n = g.add("pool", new MaxPool2D(new PoolWindow(2, 2, 2, 2, Padding.VALID)), n);
        n = g.add("conv2d_1", new Conv2D(new Parameter("conv2d_1/kernel", 3, 3, 8, 16),
                new Parameter("conv2d_1/bias", 16), 1, 1, Padding.VALID, Activation.RELU), n);
        n = g.add("pool_1", new MaxPool2D(new PoolWindow(2, 2, 2, 2, Padding.VALID)), n);
        n = g.add("flatten", new Reshape(Shape.of(400)), n);
        n = g.add("dense", new MatMul(new Parameter("dense/kernel", 400, 10)), n);
        n = g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 10)), n);
        g.add("dense/act", new Activate(Activation.SOFTMAX), n);
        CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false), List.of(), rule, pool);
        GraphFixtures.randomize(cg, 14);
        cg.ensureCapacity(batch);
        return cg;
    }
}
