package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.EarlyStopping;
import dev.kiln.optimizers.Adam;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * EarlyStopping on a run that overfits: a wide network memorises twelve rows with random labels while
 * its loss on twelve other random rows climbs, so it must stop early and, when asked, end with the
 * weights of its best validation epoch.
 */
class EarlyStoppingTest {
    private static final int MAX_EPOCHS = 300;

    private static float[][] rows(long seed) {
        Random r = new Random(seed);
        float[][] x = new float[12][6];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    private static int[] labels(long seed) {
        Random r = new Random(seed);
        int[] y = new int[12];
        for (int i = 0; i < y.length; i++) {
            y[i] = r.nextInt(3);
        }
        return y;
    }

    private static Model overfitter() {
        Kiln.setSeed(11);
        return Sequential.of(Input(6), Dense(64, "relu"), Dense(3, "softmax"))
                .compile(new Adam(0.02), "sparse_categorical_crossentropy", "accuracy");
    }

    @Test
    void stopsAnOverfittingRunAndRestoresTheBestEpochsWeights() {
        float[][] valX = rows(3);
        int[] valY = labels(4);
        try (Model model = overfitter()) {
            var stop = new EarlyStopping().monitor("val_loss").patience(2).restoreBestWeights(true);
            History h = model.fit(rows(1), labels(2), epochs(MAX_EPOCHS), batchSize(12), verbose(0),
                    validationData(valX, valY), callbacks(stop));
            List<Double> valLoss = h.history().get("val_loss");
            int ran = valLoss.size();
            assertTrue(ran < MAX_EPOCHS, "stopped early: ran " + ran + " epochs");
            assertEquals(ran - 1, stop.stoppedEpoch());
            int best = valLoss.indexOf(Collections.min(valLoss));
            assertEquals(best, stop.bestEpoch());
            assertEquals(ran - 1 - 2, best, "patience 2: two epochs without improvement after the best");
            assertTrue(h.history().get("loss").get(ran - 1) < h.history().get("loss").get(best),
                    "training loss kept falling: the run overfits");
            // The model holds the best epoch's weights: its validation loss is the best one, to the bit.
            assertEquals(valLoss.get(best), model.evaluate(valX, valY).get("loss"), 0.0);
        }
    }

    @Test
    void withoutRestoreTheLastWeightsStay() {
        float[][] valX = rows(3);
        int[] valY = labels(4);
        try (Model model = overfitter()) {
            var stop = new EarlyStopping().patience(2);
            History h = model.fit(rows(1), labels(2), epochs(MAX_EPOCHS), batchSize(12), verbose(0),
                    validationData(valX, valY), callbacks(stop));
            assertEquals(h.last("val_loss"), model.evaluate(valX, valY).get("loss"), 0.0);
        }
    }

    @Test
    void sameRunWithAndWithoutTheCallbackAgreeUpToTheStop() {
        float[][] valX = rows(3);
        int[] valY = labels(4);
        List<float[]> stopped;
        int ran;
        try (Model model = overfitter()) {
            History h = model.fit(rows(1), labels(2), epochs(MAX_EPOCHS), batchSize(12), verbose(0),
                    validationData(valX, valY), callbacks(new EarlyStopping().patience(2)));
            ran = h.epoch().size();
            stopped = model.getWeights();
        }
        try (Model model = overfitter()) {
            model.fit(rows(1), labels(2), epochs(ran), batchSize(12), verbose(0), validationData(valX, valY));
            List<float[]> plain = model.getWeights();
            for (int i = 0; i < plain.size(); i++) {
                assertArrayEquals(plain.get(i), stopped.get(i));
            }
        }
    }

    @Test
    void monitoringAnAccuracyMaximisesItAndMinDeltaCounts() {
        try (Model model = overfitter()) {
            // Training accuracy reaches 1 and cannot beat itself by more than 0.5: stop after patience.
            var stop = new EarlyStopping().monitor("accuracy").minDelta(0.5).patience(3);
            History h = model.fit(rows(1), labels(2), epochs(MAX_EPOCHS), batchSize(12), verbose(0), callbacks(stop));
            assertTrue(h.epoch().size() <= 4 + 3, "ran " + h.epoch().size());
        }
    }

    @Test
    void aMissingMonitorIsSkippedAndAnUnknownDirectionFailsAtTheStart() {
        try (Model model = overfitter()) {
            History h = model.fit(rows(1), labels(2), epochs(3), verbose(0), callbacks(new EarlyStopping()));
            assertEquals(3, h.epoch().size(), "val_loss never appears without validation data");
            var e = assertThrows(IllegalArgumentException.class,
                    () -> model.fit(rows(1), labels(2), verbose(0), callbacks(new EarlyStopping().monitor("f1"))));
            assertTrue(e.getMessage().contains("\"min\" or \"max\""), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().mode("up"));
            assertThrows(IllegalArgumentException.class, () -> new EarlyStopping().patience(-1));
        }
    }
}
