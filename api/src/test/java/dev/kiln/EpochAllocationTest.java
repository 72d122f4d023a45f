package dev.kiln;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.graph.Compiler;
import dev.kiln.core.graph.Graph;
import dev.kiln.core.graph.MatMul;
import dev.kiln.core.memory.Tensor;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.data.Dataset;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What fit does around each training step allocates nothing: gathering the shuffled rows of x and y
 * into the graph's buffers (from arrays, tensors and class indices, with or without a weight per row) and
 * adding up the batch's loss and
 * metric sums. Measured on this thread over whole epochs after warm-up, within 64 bytes a batch (a
 * JIT event can allocate once) in at least one of several windows. The steps themselves run kernels,
 * which JMH's -prof gc measures.
 */
class EpochAllocationTest {
    private static final int ROWS = 4096;
    private static final int WIDTH = 37; // not a whole number of vectors
    private static final int CLASSES = 10;
    private static final int BATCH = 32;
    private static final int WINDOWS = 8;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static KernelPool pool;
    private static CompiledGraph classifier;
    private static CompiledGraph regressor;
    private static int[] order;

    @BeforeAll
    static void compile() {
        pool = new KernelPool(1);
        classifier = linear(new SparseCategoricalCrossEntropyLoss(true), MetricReduction.ARGMAX_MATCHES_LABEL);
        regressor = linear(new MeanSquaredErrorLoss(), MetricReduction.ABSOLUTE_ERROR);
        order = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            order[i] = i;
        }
        Random r = new Random(1);
        for (int i = ROWS - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    @AfterAll
    static void close() {
        classifier.close();
        regressor.close();
        pool.close();
    }

    @Test
    void arrayRowsAndClassIndices() {
        Inputs x = Inputs.of(rows(ROWS, WIDTH, new Random(2)), "x");
        Targets y = Targets.of(new Random(3).ints(ROWS, 0, CLASSES).toArray(),
                Losses.resolve("sparse_categorical_crossentropy"), CLASSES, "y");
        assertEpochsAllocateNothing(classifier, x, y, null, Metrics.resolve("accuracy"),
                MetricReduction.ARGMAX_MATCHES_LABEL);
    }

    @Test
    void classIndicesWithSampleWeights() {
        Inputs x = Inputs.of(rows(ROWS, WIDTH, new Random(8)), "x");
        Targets y = Targets.of(new Random(9).ints(ROWS, 0, CLASSES).toArray(),
                Losses.resolve("sparse_categorical_crossentropy"), CLASSES, "y");
        float[] weights = rows(1, ROWS, new Random(10))[0];
        assertEpochsAllocateNothing(classifier, x, y, weights, Metrics.resolve("accuracy"),
                MetricReduction.ARGMAX_MATCHES_LABEL);
    }

    @Test
    void tensorRowsAndTensorTargets() {
        Inputs x = Inputs.of(Tensor.of(rows(ROWS, WIDTH, new Random(4))), "x");
        Targets y = Targets.of(Tensor.of(rows(ROWS, CLASSES, new Random(5))), Losses.resolve("mse"), CLASSES, "y");
        assertEpochsAllocateNothing(regressor, x, y, null, Metrics.resolve("mae"), MetricReduction.ABSOLUTE_ERROR);
    }

    @Test
    void arrayRowsAndArrayTargets() {
        Inputs x = Inputs.of(rows(ROWS, WIDTH, new Random(6)), "x");
        Targets y = Targets.of(rows(ROWS, CLASSES, new Random(7)), Losses.resolve("mse"), CLASSES, "y");
        assertEpochsAllocateNothing(regressor, x, y, null, Metrics.resolve("mae"), MetricReduction.ABSOLUTE_ERROR);
    }

    /**
     * A dataset's batches reach the graph without garbage in the training thread: a pass is opened
     * (buffers made, reader started) outside the window, then every batch is taken, checked against the
     * loss and loaded; with prefetching, the hand-over between the threads allocates nothing either.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void datasetBatches(boolean prefetch) {
        Dataset data = Dataset.of(rows(ROWS, WIDTH, new Random(8)), new Random(9).ints(ROWS, 0, CLASSES).toArray())
                .shuffle(256, 1).batch(BATCH).prefetch(prefetch);
        CompiledGraph graph = classifier;
        graph.ensureCapacity(BATCH);
        BatchTotals totals = new BatchTotals(List.of(Metrics.resolve("accuracy")),
                List.of(MetricReduction.ARGMAX_MATCHES_LABEL));
        for (int i = 0; i < 20; i++) {
            datasetEpoch(graph, data, totals, i);
        }
        long batches = (ROWS + BATCH - 1) / BATCH;
        StringBuilder windows = new StringBuilder();
        for (int window = 0; window < WINDOWS; window++) {
            long bytes = datasetEpoch(graph, data, totals, window);
            if (bytes < 64 * batches) {
                return;
            }
            windows.append(windows.isEmpty() ? "" : ", ").append(bytes);
        }
        fail("each pass of " + batches + " batches allocated: " + windows + " bytes");
    }

    /** One pass of fit's dataset loop without the step; the bytes this thread allocated while batches flowed. */
    private static long datasetEpoch(CompiledGraph graph, Dataset data, BatchTotals totals, int epoch) {
        try (DatasetBatches batches = new DatasetBatches(data, 0, epoch, "the dataset")) {
            batches.expectTargets(Losses.resolve("sparse_categorical_crossentropy"), CLASSES);
            batches.next(); // the first batch: the graph's sums become defined, the reader is running
            batches.load(graph);
            graph.evaluateStep(BATCH);
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int rows = batches.next(); rows > 0; rows = batches.next()) {
                batches.load(graph);
                totals.add(graph, rows);
            }
            return THREADS.getCurrentThreadAllocatedBytes() - before;
        }
    }

    private static void assertEpochsAllocateNothing(CompiledGraph graph, Inputs x, Targets y, float[] weights,
            Metric metric, MetricReduction reduction) {
        graph.ensureCapacity(BATCH);
        // One evaluate step first: the graph's sums are defined only after a step has run.
        x.load(graph, order, 0, BATCH);
        y.load(graph, order, 0, BATCH);
        graph.evaluateStep(BATCH);
        BatchTotals totals = new BatchTotals(List.of(metric), List.of(reduction));
        for (int i = 0; i < 20; i++) {
            epoch(graph, x, y, weights, totals); // warm-up: the JIT compiles the loop
        }
        // On a loaded machine C2 may still be compiling when the warm-up ends, and interpreted code
        // allocates: so up to WINDOWS windows are measured and one under the bound passes, while a loop
        // that allocates on every batch fails them all.
        int epochs = 5;
        long batches = (long) epochs * ((ROWS + BATCH - 1) / BATCH);
        StringBuilder windows = new StringBuilder();
        for (int window = 0; window < WINDOWS; window++) {
            long before = THREADS.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < epochs; i++) {
                epoch(graph, x, y, weights, totals);
            }
            long bytes = THREADS.getCurrentThreadAllocatedBytes() - before;
            if (bytes < 64 * batches) {
                return;
            }
            windows.append(windows.isEmpty() ? "" : ", ").append(bytes);
        }
        fail("each window of " + batches + " batches allocated: " + windows + " bytes");
    }

    /** Fit's batch loop without the training step: load each shuffled batch and add up its sums. */
    private static void epoch(CompiledGraph graph, Inputs x, Targets y, float[] weights, BatchTotals totals) {
        for (int from = 0; from < ROWS; from += BATCH) {
            int count = Math.min(BATCH, ROWS - from);
            x.load(graph, order, from, count);
            y.load(graph, order, from, count);
            if (weights != null) {
                graph.loadSampleWeights(weights, order, from, count);
            }
            totals.add(graph, count);
        }
    }

    /** The graph computes the metric's sums, which the batch totals read. */
    private static CompiledGraph linear(LossFunction loss, MetricReduction metric) {
        Graph g = new Graph(WIDTH);
        g.add("dense", new MatMul(new Parameter("dense/kernel", WIDTH, CLASSES)), g.input());
        return Compiler.compile(g, loss, List.of(metric),
                new GradientDescentRule(0.01f, 0f, false), pool);
    }

    private static float[][] rows(int count, int width, Random r) {
        float[][] out = new float[count][width];
        for (float[] row : out) {
            for (int j = 0; j < width; j++) {
                row[j] = r.nextFloat();
            }
        }
        return out;
    }
}
