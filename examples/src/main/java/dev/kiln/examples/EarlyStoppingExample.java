// What this teaches: how to stop training when the validation loss stops improving, and keep the best
// model rather than the last. A wide network is given only 1,000 Fashion-MNIST images, so it soon
// memorises them: its training loss keeps falling while its loss on 1,000 other images turns back up.
// EarlyStopping(monitor "val_loss", patience 2, restoreBestWeights) ends the run two epochs after the
// best one and puts that epoch's weights back. The curves go to early-stopping-history.png.
//
// Run it:  ./kiln demo --model early-stopping            (--epochs sets the cap, 100 by default)
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.Datasets;
import dev.kiln.History;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.callbacks.EarlyStopping;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** EarlyStopping with restoreBestWeights on a run that overfits a small part of Fashion-MNIST. */
public final class EarlyStoppingExample {
    static final int TRAIN_ROWS = 1000;
    static final String PLOT = "early-stopping-history.png";

    private EarlyStoppingExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(100, 64, TRAIN_ROWS, Path.of(PLOT)).extras());
    }

    /**
     * Trains on the first {@code trainRows} training images, validates on the next {@code trainRows},
     * for at most {@code maxEpochs} epochs, and writes the curves to {@code plot}.
     */
    static ExampleResult run(int maxEpochs, int batch, int trainRows, Path plot) {
        Datasets.Split data = Datasets.fashionMnist();
        float[][] x = Arrays.copyOfRange(data.xTrain(), 0, trainRows);
        int[] y = Arrays.copyOfRange(data.yTrain(), 0, trainRows);
        float[][] xVal = Arrays.copyOfRange(data.xTrain(), trainRows, 2 * trainRows);
        int[] yVal = Arrays.copyOfRange(data.yTrain(), trainRows, 2 * trainRows);
        try (Model model = Sequential.of(Input(784), Dense(512, "relu"), Dense(10, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            // Keras' defaults but for these three settings; verbose(1) prints which epoch it restores.
            var stop = new EarlyStopping().monitor("val_loss").patience(2).restoreBestWeights(true).verbose(1);
            long start = System.nanoTime();
            History history = model.fit(x, y, epochs(maxEpochs), batchSize(batch), verbose(2),
                    validationData(xVal, yVal), callbacks(stop));
            double seconds = (System.nanoTime() - start) / 1e9;

            List<Double> valLoss = history.history().get("val_loss");
            List<Double> loss = history.history().get("loss");
            int ran = history.epoch().size();
            int best = stop.bestEpoch();
            System.out.printf(Locale.ROOT, "ran %d of at most %d epochs; the best was epoch %d (val_loss %.4f)%n",
                    ran, maxEpochs, best + 1, valLoss.get(best));
            System.out.printf(Locale.ROOT, "after it the training loss fell from %.4f to %.4f while val_loss rose"
                    + " to %.4f: the network was memorising%n", loss.get(best), loss.get(ran - 1), valLoss.get(ran - 1));
            double restored = model.evaluate(xVal, yVal).get("loss");
            System.out.printf(Locale.ROOT, "the model now holds epoch %d's weights: val_loss %.4f%n", best + 1, restored);
            try {
                history.plot(plot);
                System.out.println("wrote the training curves to " + plot.toAbsolutePath());
            } catch (UncheckedIOException e) {
                System.err.println("could not write " + plot.toAbsolutePath() + ": " + e.getMessage());
            }
            Map<String, Double> scores = model.evaluate(data.xTest(), data.yTest());
            System.out.printf(Locale.ROOT, "test loss %.4f, test accuracy %.4f%n", scores.get("loss"),
                    scores.get("accuracy"));
            Map<String, Object> extras = Map.of("best_epoch", best + 1, "epochs_run", ran,
                    "best_val_loss", valLoss.get(best), "restored_val_loss", restored);
            return new ExampleResult(scores, seconds, (long) trainRows * ran, trainRows, history.trainingSeconds(),
                    extras);
        }
    }
}
