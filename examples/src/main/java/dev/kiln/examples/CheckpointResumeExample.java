// What this teaches: how to survive an interrupted training run. ModelCheckpoint saves the whole model
// (architecture, weights, optimizer state, step count, seeds) to a .kiln file at the end of every
// epoch; Model.load reads one back and fit(..., initialEpoch(k)) carries on from epoch k. Because each
// epoch's shuffle and dropout masks derive from the model's seed, the resumed run ends on exactly the
// same weights as a run that was never interrupted, which this program checks bit for bit.
//
// Run it:  ./kiln demo --model checkpoint            (--epochs sets the total, 4 by default; the
//          checkpoints go to ./kiln-checkpoints/)
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.initialEpoch;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;

import dev.kiln.Datasets;
import dev.kiln.History;
import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.callbacks.ModelCheckpoint;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** ModelCheckpoint, Model.load and initialEpoch: an interrupted run resumed to the same bits. */
public final class CheckpointResumeExample {
    static final int TRAIN_ROWS = 6000;
    static final String DIRECTORY = "kiln-checkpoints";

    private CheckpointResumeExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(4, 128, TRAIN_ROWS, 42, Path.of(DIRECTORY)).extras());
    }

    private static Model newModel(long seed) {
        Kiln.setSeed(seed); // the same seed gives the same initial weights, shuffles and dropout masks
        return Sequential.of(Input(784), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    /**
     * Trains on the first {@code trainRows} Fashion-MNIST images: first half of {@code totalEpochs}
     * with checkpoints in {@code directory}, then resumed from the last checkpoint to
     * {@code totalEpochs}, then once more uninterrupted for the comparison.
     */
    static ExampleResult run(int totalEpochs, int batch, int trainRows, long seed, Path directory) {
        int total = Math.max(2, totalEpochs);
        int interruptedAfter = total / 2;
        Datasets.Split data = Datasets.fashionMnist();
        float[][] x = Arrays.copyOfRange(data.xTrain(), 0, trainRows);
        int[] y = Arrays.copyOfRange(data.yTrain(), 0, trainRows);
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + directory.toAbsolutePath(), e);
        }
        String pattern = directory.resolve("fashion-{epoch:02d}.kiln").toString();

        // 1. The run that gets "interrupted": it stops after `interruptedAfter` epochs, but every epoch
        //    has left a checkpoint behind.
        long start = System.nanoTime();
        try (Model model = newModel(seed)) {
            model.fit(x, y, epochs(interruptedAfter), batchSize(batch), validationSplit(0.1), verbose(2),
                    callbacks(new ModelCheckpoint(pattern).verbose(1)));
        }
        Path checkpoint = directory.resolve(String.format(Locale.ROOT, "fashion-%02d.kiln", interruptedAfter));
        System.out.println("interrupted after epoch " + interruptedAfter + "; resuming from " + checkpoint);

        // 2. Resume: load the checkpoint and continue from the epoch where it stopped.
        List<float[]> resumedWeights;
        Map<String, Double> scores;
        History resumedHistory;
        double seconds;
        try (Model resumed = Model.load(checkpoint)) {
            resumedHistory = resumed.fit(x, y, epochs(total), initialEpoch(interruptedAfter), batchSize(batch),
                    validationSplit(0.1), verbose(2));
            seconds = (System.nanoTime() - start) / 1e9; // both halves of the training, and the load between
            resumedWeights = resumed.getWeights();
            scores = resumed.evaluate(data.xTest(), data.yTest());
        }

        // 3. The control: the same model trained for all epochs in one go.
        List<float[]> uninterruptedWeights;
        try (Model uninterrupted = newModel(seed)) {
            uninterrupted.fit(x, y, epochs(total), batchSize(batch), validationSplit(0.1), verbose(0));
            uninterruptedWeights = uninterrupted.getWeights();
        }
        boolean identical = resumedWeights.size() == uninterruptedWeights.size();
        for (int i = 0; identical && i < resumedWeights.size(); i++) {
            identical = Arrays.equals(resumedWeights.get(i), uninterruptedWeights.get(i));
        }
        System.out.println(identical
                ? "the resumed run's weights are bit-identical to the uninterrupted " + total + "-epoch run's"
                : "MISMATCH: the resumed run's weights differ from the uninterrupted run's");
        System.out.printf(Locale.ROOT, "test loss %.4f, test accuracy %.4f%n", scores.get("loss"),
                scores.get("accuracy"));
        int perEpoch = (int) Math.floor(trainRows * 0.9);
        List<Double> epochSeconds = new ArrayList<>(resumedHistory.trainingSeconds());
        return new ExampleResult(scores, seconds, (long) perEpoch * total, perEpoch, epochSeconds,
                Map.of("resumed_identical", identical, "resumed_from_epoch", interruptedAfter));
    }
}
