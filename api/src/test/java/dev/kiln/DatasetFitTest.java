package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.stepsPerEpoch;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.Callback;
import dev.kiln.core.memory.Tensor;
import dev.kiln.data.Batch;
import dev.kiln.data.Dataset;
import dev.kiln.optimizers.SGD;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * fit, evaluate and predict on a Dataset take the steps the array path takes for the same rows in the
 * same order; trainOnBatch, testOnBatch and predictOnBatch are one step each, with Keras' numbers.
 */
class DatasetFitTest {
    private static final float[][] X = new float[45][6];
    private static final int[] Y = new int[45];

    static {
        Random r = new Random(11);
        for (int i = 0; i < X.length; i++) {
            for (int j = 0; j < X[i].length; j++) {
                X[i][j] = (float) r.nextGaussian();
            }
            Y[i] = r.nextInt(3);
        }
    }

    private static Model model(long seed) {
        Kiln.setSeed(seed);
        return Sequential.of(Input(6), Dense(8, "relu"), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    private static void assertSameWeights(Model a, Model b) {
        List<float[]> wa = a.getWeights();
        List<float[]> wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) {
            assertArrayEquals(wa.get(i), wb.get(i), "weight " + i);
        }
    }

    @Test
    void fittingADatasetInOrderIsBitIdenticalToFittingTheArrays(@TempDir Path dir) throws Exception {
        Tensor.of(X).toNpy(dir.resolve("x.npy"));
        float[][] yColumn = new float[Y.length][];
        for (int i = 0; i < Y.length; i++) {
            yColumn[i] = new float[] {Y[i]};
        }
        Tensor.of(yColumn).toNpy(dir.resolve("y.npy"));
        try (Model arrays = model(3); Model fromMemory = model(3); Model fromFile = model(3)) {
            History h = arrays.fit(X, Y, epochs(3), batchSize(8), shuffle(false), verbose(0));
            History hm = fromMemory.fit(Dataset.of(X, Y).batch(8), epochs(3), verbose(0));
            History hf = fromFile.fit(Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).batch(8),
                    epochs(3), verbose(0));
            assertSameWeights(arrays, fromMemory);
            assertSameWeights(arrays, fromFile);
            assertEquals(h.history(), hm.history());
            assertEquals(h.history(), hf.history());
            assertEquals(18, fromFile.iterations());
        }
    }

    @Test
    void evaluateAndPredictOnADatasetMatchTheArrays() {
        try (Model m = model(4)) {
            m.fit(X, Y, epochs(2), verbose(0));
            assertEquals(m.evaluate(X, Y), m.evaluate(Dataset.of(X, Y).batch(7)));
            float[][] p = m.predict(X);
            float[][] pd = m.predict(Dataset.of(X).batch(10));
            assertEquals(p.length, pd.length);
            for (int i = 0; i < p.length; i++) {
                assertArrayEquals(p[i], pd[i], "row " + i);
            }
            assertEquals(X.length, m.predict(Dataset.of(X, Y).batch(4)).length, "targets are not read by predict");
        }
    }

    @Test
    void aShuffledDatasetTrainsWithValidationAndTheSameSeedRepeats() {
        Dataset train = Dataset.of(Arrays.copyOf(X, 36), Arrays.copyOf(Y, 36)).shuffle(10, 5).batch(8);
        Dataset val = Dataset.of(Arrays.copyOfRange(X, 36, 45), Arrays.copyOfRange(Y, 36, 45));
        try (Model a = model(6); Model b = model(6)) {
            History ha = a.fit(train, epochs(2), validationData(val), verbose(0));
            History hb = b.fit(train, epochs(2), validationData(val), verbose(0));
            assertEquals(List.of("accuracy", "loss", "val_accuracy", "val_loss"), List.copyOf(ha.history().keySet()));
            assertEquals(ha.history(), hb.history());
            assertSameWeights(a, b);
            assertEquals(a.evaluate(val).get("loss"), ha.history().get("val_loss").get(1), 0);
        }
    }

    @Test
    void stepsPerEpochSharesOnePassOfAnEndlessGenerator() {
        Iterator<Batch> endless = new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Batch next() {
                int from = next % 40;
                next += 5;
                return Batch.of(Arrays.copyOfRange(X, from, from + 5), Arrays.copyOfRange(Y, from, from + 5));
            }
        };
        try (Model m = model(7)) {
            History h = m.fit(Dataset.fromIterator(endless), epochs(3), stepsPerEpoch(4), verbose(0));
            assertEquals(3, h.history().get("loss").size());
            assertEquals(12, m.iterations());
        }
    }

    @Test
    void aFiniteGeneratorThatRunsOutStopsTraining() {
        Iterator<Batch> six = List.of(0, 1, 2, 3, 4, 5).stream()
                .map(i -> Batch.of(Arrays.copyOfRange(X, 5 * i, 5 * i + 5), Arrays.copyOfRange(Y, 5 * i, 5 * i + 5)))
                .iterator();
        try (Model m = model(8)) {
            History h = m.fit(Dataset.fromIterator(six), epochs(5), stepsPerEpoch(4), verbose(0));
            assertEquals(2, h.history().get("loss").size(), "4 batches, then the last 2, then nothing");
            assertEquals(6, m.iterations());
        }
    }

    @Test
    void badDatasetsAreRefusedBeforeAnyStep() {
        try (Model m = model(9)) {
            List<float[]> before = m.getWeights();
            Dataset data = Dataset.of(X, Y);
            String e = assertThrows(IllegalArgumentException.class, () -> m.fit(data, batchSize(8))).getMessage();
            assertTrue(e.contains("batchSize") && e.contains("batch(n)"), e);
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(data, validationSplit(0.2))).getMessage();
            assertTrue(e.contains("validationSplit"), e);
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.of(X), verbose(0))).getMessage();
            assertTrue(e.contains("no targets"), e);
            e = assertThrows(IllegalArgumentException.class,
                    () -> m.fit(Dataset.of(new float[][] {{1, 2}}, new int[] {0}), verbose(0))).getMessage();
            assertTrue(e.contains("2 features") && e.contains("expects 6"), e);
            float[][] oneHot = new float[X.length][3];
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.of(X, oneHot), verbose(0)))
                    .getMessage();
            assertTrue(e.contains("3 values") && e.contains("expects 1"), e);
            int[] badLabel = Y.clone();
            badLabel[0] = 7;
            e = assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.of(X, badLabel), verbose(0)))
                    .getMessage();
            assertTrue(e.contains("7.0") && e.contains("[0, 3)"), e);
            Iterable<Batch> empty = () -> List.<Batch>of().iterator();
            assertThrows(IllegalArgumentException.class, () -> m.fit(Dataset.fromBatches(empty), verbose(0)));
            assertThrows(IllegalArgumentException.class, () -> m.fit(X, Y, stepsPerEpoch(2), verbose(0)));
            assertEquals(0, m.iterations());
            List<float[]> after = m.getWeights();
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i));
            }
        }
    }

    @Test
    void trainOnBatchIsOneFitStep() {
        float[][] x = Arrays.copyOf(X, 16);
        int[] y = Arrays.copyOf(Y, 16);
        try (Model fitted = model(10); Model stepped = model(10)) {
            History h = fitted.fit(x, y, epochs(1), batchSize(16), shuffle(false), verbose(0));
            Map<String, Double> logs = stepped.trainOnBatch(x, y);
            assertSameWeights(fitted, stepped);
            assertEquals(1, stepped.iterations());
            assertEquals(h.history().get("loss").get(0), logs.get("loss"), 0);
            assertEquals(h.history().get("accuracy").get(0), logs.get("accuracy"), 0);
            assertEquals(stepped.evaluate(x, y), stepped.testOnBatch(x, y));
            assertEquals(1, stepped.iterations(), "testOnBatch does not train");
            float[][] p = stepped.predict(x);
            float[][] pb = stepped.predictOnBatch(x);
            for (int i = 0; i < p.length; i++) {
                assertArrayEquals(p[i], pb[i]);
            }
        }
    }

    /**
     * Keras 3.15.1: Dense(2, softmax) on 3 inputs, SGD(0.5), weights set; train_on_batch, test_on_batch,
     * train_on_batch again, predict_on_batch (return_dict=True for the first three).
     */
    @Test
    void trainAndTestOnBatchGiveKerasNumbers() {
        float[][] x = {{1, 2, 3}, {0.5f, -1, 2}, {-1, 0.25f, 0.5f}, {2, 1, -1}, {0, 0, 1}};
        int[] y = {0, 1, 1, 0, 1};
        try (Model m = Sequential.of(Input(3), Dense(2, "softmax"))
                .compile(new SGD(0.5), "sparse_categorical_crossentropy", "accuracy")) {
            m.setWeights(List.of(new float[] {0.1f, -0.2f, 0.3f, 0.4f, -0.5f, 0.6f}, new float[] {0.05f, -0.05f}));
            Map<String, Double> train = m.trainOnBatch(x, y);
            assertEquals(0.83001309633255, train.get("loss"), 1e-6);
            assertEquals(0.8, train.get("accuracy"), 1e-6);
            float[] kernel = {0.25132855772972107f, -0.3513285517692566f, 0.5125274658203125f, 0.18747258186340332f,
                -0.2982172966003418f, 0.3982173204421997f};
            assertArrayEquals(kernel, m.getWeights().get(0), 1e-6f);
            assertArrayEquals(new float[] {0.08911453187465668f, -0.08911453932523727f}, m.getWeights().get(1), 1e-6f);
            Map<String, Double> test = m.testOnBatch(x, y);
            assertEquals(0.45795363187789917, test.get("loss"), 1e-6);
            assertEquals(0.8, test.get("accuracy"), 1e-6);
            assertEquals(0.45795363187789917, m.trainOnBatch(x, y).get("loss"), 1e-6, "the loss before the update");
            float[][] p = m.predictOnBatch(Arrays.copyOf(x, 2));
            assertArrayEquals(new float[] {0.6619840860366821f, 0.33801591396331787f}, p[0], 1e-6f);
            assertArrayEquals(new float[] {0.2462986707687378f, 0.753701388835907f}, p[1], 1e-6f);
        }
    }

    @Test
    void onBatchCallsRefuseBadInputAndLeaveTheModel() {
        try (Model m = model(12)) {
            assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(X, Arrays.copyOf(Y, 3)));
            assertThrows(IllegalArgumentException.class, () -> m.trainOnBatch(new float[][] {{1, 2}}, new int[] {0}));
            int[] bad = Y.clone();
            bad[4] = -1;
            assertThrows(IllegalArgumentException.class, () -> m.testOnBatch(X, bad));
            assertEquals(0, m.iterations());
        }
    }

    private static long prefetchThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("kiln-prefetch-") && t.isAlive()).count();
    }

    private static Iterator<Batch> endless(RuntimeException failAtBatch7) {
        return new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Batch next() {
                if (next == 7 && failAtBatch7 != null) {
                    throw failAtBatch7;
                }
                int from = (next++ % 8) * 5;
                return Batch.of(Arrays.copyOfRange(X, from, from + 5), Arrays.copyOfRange(Y, from, from + 5));
            }
        };
    }

    @Test
    void aReaderFailureEndsFitWithTheOriginalExceptionAndStopsTheThread() {
        RuntimeException broken = new IllegalStateException("the sensor feed broke");
        try (Model m = model(13)) {
            RuntimeException thrown = assertThrows(IllegalStateException.class,
                    () -> m.fit(Dataset.fromIterator(endless(broken)), epochs(3), stepsPerEpoch(4), verbose(0)));
            assertEquals(broken, thrown);
            assertEquals(7, m.iterations(), "the batches before the failure were trained");
            assertEquals(0, prefetchThreadsAlive());
        }
    }

    @Test
    void stoppingEarlyStopsTheReaderOfAnEndlessGenerator() {
        try (Model m = model(14)) {
            Callback stopAfterThree = new Callback() {
                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {
                    if (batch == 2) {
                        m.stopTraining();
                    }
                }
            };
            History h = m.fit(Dataset.fromIterator(endless(null)), epochs(5), stepsPerEpoch(10), verbose(0),
                    callbacks(stopAfterThree));
            assertEquals(1, h.history().get("loss").size());
            assertEquals(3, m.iterations());
            assertEquals(0, prefetchThreadsAlive());
        }
    }
}
