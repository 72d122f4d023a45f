package dev.kiln.callbacks;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.History;
import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModelCheckpoint through its hooks, called as fit calls them (fit's wiring of callbacks is tested
 * where fit is): what it saves, when, under which name, and that a checkpoint resumes exactly.
 */
class ModelCheckpointTest {
    @TempDir
    Path dir;

    private static Model model() {
        return Sequential.of(Input(3), Dense(4, "relu"), Dense(2)).compile("adam", "mse");
    }

    /** Weights all equal to {@code v}, so a file shows which moment it captured. */
    private static void fill(Model m, float v) {
        List<float[]> w = m.getWeights();
        w.forEach(a -> java.util.Arrays.fill(a, v));
        m.setWeights(w);
    }

    private static float savedValue(Path file) throws IOException {
        try (Model loaded = Model.load(file)) {
            return loaded.getWeights().get(0)[0];
        }
    }

    private static Map<String, Double> logs(double loss, double valLoss) {
        Map<String, Double> logs = new HashMap<>();
        logs.put("loss", loss);
        logs.put("val_loss", valLoss);
        return logs;
    }

    @Test
    void byDefaultSavesTheWholeModelEveryEpochUnderItsFormattedName() throws IOException {
        try (Model m = model()) {
            var cp = new ModelCheckpoint(dir.resolve("m-{epoch:02d}-{val_loss:.2f}.kiln").toString());
            cp.setModel(m);
            cp.onTrainBegin(Map.of());
            double[] valLoss = {0.5, 0.7, 0.3};
            for (int e = 0; e < 3; e++) {
                cp.onEpochBegin(e, Map.of());
                fill(m, e + 1);
                cp.onEpochEnd(e, logs(1, valLoss[e]));
            }
            assertEquals(1f, savedValue(dir.resolve("m-01-0.50.kiln")));
            assertEquals(2f, savedValue(dir.resolve("m-02-0.70.kiln")));
            assertEquals(3f, savedValue(dir.resolve("m-03-0.30.kiln")));
            assertEquals(dir.resolve("m-03-0.30.kiln"), cp.lastSaved());
        }
    }

    @Test
    void saveBestOnlyKeepsTheBestEpoch() throws IOException {
        try (Model m = model()) {
            Path file = dir.resolve("best.kiln");
            var cp = new ModelCheckpoint(file).saveBestOnly(true);
            cp.setModel(m);
            cp.onTrainBegin(Map.of());
            double[] valLoss = {0.5, 0.6, 0.4, 0.45, Double.NaN};
            for (int e = 0; e < valLoss.length; e++) {
                fill(m, e + 1);
                cp.onEpochEnd(e, logs(1, valLoss[e]));
                assertEquals(e < 2 ? 1f : 3f, savedValue(file), "after epoch " + (e + 1));
            }
        }
    }

    @Test
    void autoModeMaximizesAccuracyAndMinimizesTheRest() throws IOException {
        assertTrue(new ModelCheckpoint("a.kiln").monitor("val_accuracy").maximizes());
        assertTrue(new ModelCheckpoint("a.kiln").monitor("val_auc").maximizes());
        assertFalse(new ModelCheckpoint("a.kiln").maximizes());
        assertFalse(new ModelCheckpoint("a.kiln").monitor("val_accuracy").mode("min").maximizes());
        assertTrue(new ModelCheckpoint("a.kiln").monitor("loss").mode("max").maximizes());
        try (Model m = model()) {
            Path file = dir.resolve("acc.kiln");
            var cp = new ModelCheckpoint(file).monitor("val_accuracy").saveBestOnly(true);
            cp.setModel(m);
            double[] acc = {0.5, 0.7, 0.6};
            for (int e = 0; e < acc.length; e++) {
                fill(m, e + 1);
                cp.onEpochEnd(e, Map.of("val_accuracy", acc[e]));
            }
            assertEquals(2f, savedValue(file));
        }
    }

    @Test
    void aMissingMonitorSkipsTheSaveAndAThresholdMustBeBeaten() {
        try (Model m = model()) {
            var cp = new ModelCheckpoint(dir.resolve("x.kiln")).saveBestOnly(true);
            cp.setModel(m);
            cp.onEpochEnd(0, Map.of("loss", 0.1));
            assertNull(cp.lastSaved());
            var threshold = new ModelCheckpoint(dir.resolve("y.kiln")).saveBestOnly(true).initialValueThreshold(0.3);
            threshold.setModel(m);
            threshold.onEpochEnd(0, logs(1, 0.4));
            assertNull(threshold.lastSaved());
            threshold.onEpochEnd(1, logs(1, 0.2));
            assertEquals(dir.resolve("y.kiln"), threshold.lastSaved());
            assertFalse(Files.exists(dir.resolve("x.kiln")));
        }
    }

    @Test
    void weightsOnlyWritesSafetensors() throws IOException {
        try (Model m = model(); Model other = model()) {
            var cp = new ModelCheckpoint(dir.resolve("w{epoch}.safetensors").toString()).saveWeightsOnly(true);
            cp.setModel(m);
            fill(m, 0.25f);
            cp.onEpochEnd(0, logs(1, 1));
            other.loadWeights(dir.resolve("w1.safetensors"));
            assertArrayEquals(m.getWeights().get(0), other.getWeights().get(0));

            var wrong = new ModelCheckpoint(dir.resolve("w.kiln")).saveWeightsOnly(true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> wrong.setModel(m));
            assertTrue(e.getMessage().contains(".safetensors"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m.safetensors").setModel(m));
        }
    }

    @Test
    void anIntegerSaveFreqSavesEveryNBatches() {
        try (Model m = model()) {
            var cp = new ModelCheckpoint(dir.resolve("e{epoch}-b{batch}.kiln").toString()).saveFreq(2);
            cp.setModel(m);
            cp.onTrainBegin(Map.of());
            cp.onEpochBegin(0, Map.of());
            for (int b = 0; b < 5; b++) {
                cp.onBatchEnd(b, Map.of("loss", 1.0));
            }
            cp.onEpochEnd(0, logs(1, 1));
            assertTrue(Files.exists(dir.resolve("e1-b1.kiln")));
            assertTrue(Files.exists(dir.resolve("e1-b3.kiln")));
            assertEquals(dir.resolve("e1-b3.kiln"), cp.lastSaved());
        }
    }

    @Test
    void badSettingsFailAtOnce() {
        assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint((String) null));
        assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m.kiln").mode("maximum"));
        assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m.kiln").saveFreq(0));
        assertThrows(IllegalArgumentException.class, () -> new ModelCheckpoint("m-{epoch:q}.kiln"));
        assertThrows(IllegalStateException.class, () -> new ModelCheckpoint("m.kiln").onEpochEnd(0, Map.of()));
    }

    @Test
    void aCheckpointWrittenMidRunResumesToTheSameWeights() throws IOException {
        // fit's callback wiring lives on another branch, so the hooks are called here between
        // one-epoch fits, as fit will call them; shuffle off because the per-epoch seeded shuffle
        // arrives with that wiring too. Dropout and Adam make every part of the state matter.
        Random r = new Random(9);
        float[][] x = new float[40][3];
        float[][] y = new float[40][2];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            y[i][0] = x[i][0] * x[i][1];
            y[i][1] = x[i][2] - x[i][0];
        }
        Kiln.setSeed(21);
        List<float[]> uninterrupted;
        Path file = dir.resolve("ckpt-{epoch}.kiln");
        try (Model m = Sequential.of(Input(3), Dense(8, "relu"), Dropout(0.3), Dense(2)).compile("adam", "mse")) {
            var cp = new ModelCheckpoint(file.toString());
            cp.setModel(m);
            cp.onTrainBegin(Map.of());
            for (int e = 0; e < 4; e++) {
                History h = m.fit(x, y, epochs(1), batchSize(8), shuffle(false), verbose(0),
                        validationData(x, y));
                Map<String, Double> logs = new HashMap<>();
                h.history().forEach((k, v) -> logs.put(k, v.get(0)));
                cp.onEpochEnd(e, logs);
            }
            uninterrupted = m.getWeights();
        }
        try (Model resumed = Model.load(dir.resolve("ckpt-2.kiln"))) {
            assertEquals(10, resumed.iterations());
            resumed.fit(x, y, epochs(2), batchSize(8), shuffle(false), verbose(0));
            List<float[]> after = resumed.getWeights();
            for (int i = 0; i < after.size(); i++) {
                assertArrayEquals(uninterrupted.get(i), after.get(i), "weight " + i);
            }
        }
        assertEquals(List.of("ckpt-1.kiln", "ckpt-2.kiln", "ckpt-3.kiln", "ckpt-4.kiln"),
                new ArrayList<>(Files.list(dir).map(p -> p.getFileName().toString()).sorted().toList()));
    }
}
