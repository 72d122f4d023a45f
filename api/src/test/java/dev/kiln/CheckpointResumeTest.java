package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.initialEpoch;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's end-to-end promise: a checkpoint that {@link ModelCheckpoint} writes in the middle of a
 * {@code fit} (shuffled batches, Dropout, Adam, a validation split) and that is resumed with
 * {@code Model.load} and {@code fit(..., initialEpoch(2), epochs(4))} ends on the same bits as the
 * uninterrupted 4-epoch run from the same seed.
 */
class CheckpointResumeTest {
    @TempDir
    Path dir;

    private static Model model() {
        Kiln.setSeed(33);
        return Sequential.of(Input(5), Dense(16, "relu"), Dropout(0.3), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    @Test
    void aMidRunCheckpointResumesToTheUninterruptedWeights() throws IOException {
        float[][] x = ModelFilesTest.inputs(90, 5, 12);
        int[] y = ModelFilesTest.labels(x, 3);
        List<float[]> uninterrupted;
        History whole;
        try (Model m = model()) {
            var checkpoint = new ModelCheckpoint(dir.resolve("ckpt-{epoch:02d}.kiln").toString());
            whole = m.fit(x, y, epochs(4), batchSize(16), shuffle(true), validationSplit(0.2), verbose(0),
                    callbacks(checkpoint));
            uninterrupted = m.getWeights();
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of("ckpt-01.kiln", "ckpt-02.kiln", "ckpt-03.kiln", "ckpt-04.kiln"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        // The checkpoint of epoch 2 ("{epoch}" counts from 1, as in Keras) holds the state after two epochs.
        History resumedHistory;
        List<float[]> resumed;
        try (Model again = Model.load(dir.resolve("ckpt-02.kiln"))) {
            assertEquals(2 * 5, again.iterations(), "72 training rows in batches of 16: 5 steps an epoch");
            resumedHistory = again.fit(x, y, epochs(4), initialEpoch(2), batchSize(16), shuffle(true),
                    validationSplit(0.2), verbose(0));
            resumed = again.getWeights();
        }
        assertEquals(List.of(2, 3), resumedHistory.epoch());
        ModelFilesTest.assertWeightsEqual(uninterrupted, resumed);
        assertEquals(whole.history().get("loss").subList(2, 4), resumedHistory.history().get("loss"));
        assertEquals(whole.history().get("val_loss").subList(2, 4), resumedHistory.history().get("val_loss"));
    }

    @Test
    void resumingAtTheWrongEpochDiffers() throws IOException {
        // The control: resumed at initialEpoch(1), the shuffles of epochs 1-2 replace those of 2-3, so
        // the weights differ, which shows the test above can fail.
        float[][] x = ModelFilesTest.inputs(90, 5, 12);
        int[] y = ModelFilesTest.labels(x, 3);
        List<float[]> uninterrupted;
        try (Model m = model()) {
            m.fit(x, y, epochs(4), batchSize(16), validationSplit(0.2), verbose(0),
                    callbacks(new ModelCheckpoint(dir.resolve("ckpt-{epoch}.kiln").toString())));
            uninterrupted = m.getWeights();
        }
        try (Model again = Model.load(dir.resolve("ckpt-2.kiln"))) {
            again.fit(x, y, epochs(3), initialEpoch(1), batchSize(16), validationSplit(0.2), verbose(0));
            boolean same = true;
            List<float[]> w = again.getWeights();
            for (int i = 0; i < w.size(); i++) {
                same &= Arrays.equals(uninterrupted.get(i), w.get(i));
            }
            assertFalse(same);
            assertTrue(again.iterations() == 20);
        }
    }
}
