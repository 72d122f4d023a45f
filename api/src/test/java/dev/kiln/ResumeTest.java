package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.initialEpoch;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.optimizers.SGD;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * initialEpoch: a run split in two (epochs 0–1, then 2–4 with initialEpoch(2)) trains to the same bits
 * as the run in one piece, because epoch k's shuffling depends on the model's seed and k alone.
 */
class ResumeTest {
    private static final float[][] X = new float[37][5];
    private static final int[] Y = new int[37];

    static {
        Random r = new Random(9);
        for (int i = 0; i < X.length; i++) {
            for (int j = 0; j < 5; j++) {
                X[i][j] = (float) r.nextGaussian();
            }
            Y[i] = r.nextInt(3);
        }
    }

    private static Model model() {
        Kiln.setSeed(21);
        return Sequential.of(Input(5), Dense(16, "relu"), Dropout(0.25), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    @Test
    void aRunResumedAtInitialEpochMatchesTheUninterruptedRun() {
        try (Model whole = model(); Model split = model()) {
            History h = whole.fit(X, Y, epochs(5), batchSize(8), verbose(0));
            split.fit(X, Y, epochs(2), batchSize(8), verbose(0));
            History rest = split.fit(X, Y, epochs(5), batchSize(8), verbose(0), initialEpoch(2));
            assertEquals(List.of(2, 3, 4), rest.epoch());
            assertEquals(h.history().get("loss").subList(2, 5), rest.history().get("loss"));
            List<float[]> a = whole.getWeights();
            List<float[]> b = split.getWeights();
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), "weight " + i);
            }
        }
    }

    @Test
    void aFreshModelGivenTheWeightsResumesLikeACheckpoint() {
        // Plain SGD and no dropout: the weights are the whole training state, so a new model built
        // from the same seed and given them stands for one loaded from a checkpoint.
        try (Model whole = sgdModel(); Model first = sgdModel(); Model resumed = sgdModel()) {
            whole.fit(X, Y, epochs(5), batchSize(8), verbose(0));
            first.fit(X, Y, epochs(2), batchSize(8), verbose(0));
            resumed.setWeights(first.getWeights());
            resumed.fit(X, Y, epochs(5), batchSize(8), verbose(0), initialEpoch(2));
            List<float[]> a = whole.getWeights();
            List<float[]> b = resumed.getWeights();
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i), "weight " + i);
            }
        }
    }

    private static Model sgdModel() {
        Kiln.setSeed(21);
        return Sequential.of(Input(5), Dense(16, "relu"), Dense(3, "softmax"))
                .compile(new SGD(0.1), "sparse_categorical_crossentropy");
    }

    @Test
    void epochsAreShuffledDifferentlyAndByTheSeed() {
        long[] seeds = {Trainer.epochSeed(1, 0), Trainer.epochSeed(1, 1), Trainer.epochSeed(2, 0)};
        assertEquals(3, Arrays.stream(seeds).distinct().count());
        assertEquals(Trainer.epochSeed(1, 1), Trainer.epochSeed(1, 1));
        try (Model model = model()) {
            History h = model.fit(X, Y, epochs(3), verbose(0), initialEpoch(3));
            assertEquals(List.of(), h.epoch(), "initialEpoch at epochs runs nothing, as in Keras");
            assertEquals(0, model.iterations());
            assertFalse(model.isStopTrainingRequested());
        }
    }
}
