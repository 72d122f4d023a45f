package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.Callback;
import dev.kiln.callbacks.EarlyStopping;
import dev.kiln.callbacks.FitParams;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accessors a training loop outside fit needs (Kiln's Spark module): optimizer slots, the step count,
 * fit's epoch order, and TrainingCallbacks. Copying weights, slots and iterations into a twin model makes
 * its next fit bit-identical; fitting rows gathered in epochOrder with shuffle(false) is fit's own epoch.
 */
class TrainingStateAccessTest {
    private static final float[][] X = new float[41][6];
    private static final int[] Y = new int[41];

    static {
        Random r = new Random(5);
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

    private static void assertSameArrays(List<float[]> a, List<float[]> b, String what) {
        assertEquals(a.size(), b.size(), what + " count");
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), what + " " + i);
        }
    }

    @Test
    void slotsAreThoseASavedFileKeepsAndCopyingTheStateContinuesTraining(@TempDir Path dir) throws Exception {
        try (Model a = model(1); Model b = model(2)) {
            a.fit(X, Y, epochs(2), batchSize(8), verbose(0));
            assertEquals(2 * 4, a.getOptimizerSlots().size(), "Adam: momentum and velocity of 4 weights (2 kernels, 2 biases)");
            Path file = dir.resolve("a.kiln");
            a.save(file);
            try (Model loaded = Model.load(file)) {
                assertSameArrays(a.getOptimizerSlots(), loaded.getOptimizerSlots(), "slot");
            }
            b.setWeights(a.getWeights());
            b.setOptimizerSlots(a.getOptimizerSlots());
            b.setIterations(a.iterations());
            // The same rows in the same order: fit's shuffle depends on each model's own seed.
            a.fit(X, Y, epochs(1), batchSize(8), shuffle(false), verbose(0));
            b.fit(X, Y, epochs(1), batchSize(8), shuffle(false), verbose(0));
            assertSameArrays(a.getWeights(), b.getWeights(), "weight");
            assertSameArrays(a.getOptimizerSlots(), b.getOptimizerSlots(), "slot");
            assertEquals(a.iterations(), b.iterations());
            assertTrue(Files.size(file) > 0);
        }
    }

    @Test
    void fittingRowsGatheredInEpochOrderIsFitsOwnShuffledEpoch() {
        try (Model shuffled = model(3); Model gathered = model(3)) {
            shuffled.fit(X, Y, epochs(2), batchSize(8), verbose(0));
            for (int epoch = 0; epoch < 2; epoch++) {
                int[] order = gathered.epochOrder(epoch, X.length);
                float[][] x = new float[order.length][];
                int[] y = new int[order.length];
                for (int i = 0; i < order.length; i++) {
                    x[i] = X[order[i]];
                    y[i] = Y[order[i]];
                }
                gathered.fit(x, y, epochs(1), batchSize(8), shuffle(false), verbose(0));
            }
            assertSameArrays(shuffled.getWeights(), gathered.getWeights(), "weight");
            int[] order = gathered.epochOrder(0, 10);
            assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, Arrays.stream(order).sorted().toArray());
        }
    }

    @Test
    void badStateIsRefusedNamingWhatIsWrongAndChangesNothing() {
        try (Model m = model(4)) {
            List<float[]> slots = m.getOptimizerSlots();
            var e = assertThrows(IllegalArgumentException.class, () -> m.setOptimizerSlots(slots.subList(0, 3)));
            assertTrue(e.getMessage().contains("expected 8 optimizer slot arrays (2 slots [momentum, velocity] × 4 weights)"), e.getMessage());
            List<float[]> wrong = new ArrayList<>(slots);
            wrong.set(7, new float[] {1});
            e = assertThrows(IllegalArgumentException.class, () -> m.setOptimizerSlots(wrong));
            assertTrue(e.getMessage().contains("optimizer slot array 7 (velocity"), e.getMessage());
            float[] negative = new float[slots.get(4).length];
            negative[5] = -1;
            List<float[]> bad = new ArrayList<>(slots);
            bad.set(0, new float[slots.get(0).length]);
            bad.get(0)[0] = 7;
            bad.set(4, negative);
            e = assertThrows(IllegalArgumentException.class, () -> m.setOptimizerSlots(bad));
            assertTrue(e.getMessage().contains("element 5 is -1.0"), e.getMessage());
            assertSameArrays(slots, m.getOptimizerSlots(), "slot left as it was");
            assertThrows(IllegalArgumentException.class, () -> m.setIterations(-1));
            assertThrows(IllegalArgumentException.class, () -> m.epochOrder(-1, 3));
        }
    }

    @Test
    void trainingCallbacksRecordAHistoryAndPassStopRequestsOn() {
        try (Model m = model(6)) {
            List<String> seen = new ArrayList<>();
            Callback spy = new Callback() {
                @Override
                public void onBatchEnd(int batch, Map<String, Double> logs) {
                    seen.add("batch " + batch);
                }

                @Override
                public void onEpochEnd(int epoch, Map<String, Double> logs) {
                    seen.add("epoch " + epoch);
                }
            };
            EarlyStopping stop = new EarlyStopping().monitor("loss").patience(0);
            TrainingCallbacks run = TrainingCallbacks.start(m, new FitParams(5, 2, 0, 0), List.of(spy, stop));
            double[] losses = {1.0, 2.0, 3.0};
            int epoch = 0;
            for (; epoch < losses.length && !m.isStopTrainingRequested(); epoch++) {
                run.epochBegin(epoch);
                run.batchEnd(0, Map.of("loss", losses[epoch]));
                run.epochEnd(epoch, Map.of("loss", losses[epoch]), 0.5);
            }
            History h = run.end(Map.of());
            assertEquals(List.of(1.0, 2.0), h.history().get("loss"), "EarlyStopping stopped after the loss rose");
            assertEquals(List.of("batch 0", "epoch 0", "batch 0", "epoch 1"), seen);
            assertEquals(List.of(0.5, 0.5), h.trainingSeconds());
        }
    }
}
