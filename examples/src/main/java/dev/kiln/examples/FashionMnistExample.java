// What this teaches: multi-class classification, the library's main job. A 784-128-10 network (relu,
// softmax) learns the ten classes of Fashion-MNIST with Adam and sparse_categorical_crossentropy,
// holding out 10% of the training images for validation, then reports test loss and accuracy and
// writes the loss/accuracy curves to fashion-history.png.
//
// Run it:  ./kiln demo            (or ./kiln demo --model fashion --epochs 5 --batch 128)
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.Layers.Dense;

import dev.kiln.Datasets;
import dev.kiln.History;
import dev.kiln.Model;
import dev.kiln.Sequential;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/** The main job: a 784-128-10 MLP trained on Fashion-MNIST with Adam. */
public final class FashionMnistExample {
    private FashionMnistExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(5, 128).testScores());
    }

    /** The loss and accuracy curves, training and validation, as a picture next to where the demo runs. */
    private static void plot(History history, Path file) {
        try {
            history.plot(file);
            System.out.println("wrote the training curves to " + file.toAbsolutePath());
        } catch (UncheckedIOException e) {
            System.err.println("could not write " + file.toAbsolutePath() + ": " + e.getMessage());
        }
    }

    static ExampleResult run(int epochCount, int batch) {
        Datasets.Split data = Datasets.fashionMnist();
        try (Model model = Sequential.of(Dense(128, "relu"), Dense(10, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            long start = System.nanoTime();
            History history = model.fit(data.xTrain(), data.yTrain(), epochs(epochCount), batchSize(batch),
                    validationSplit(0.1));
            double seconds = (System.nanoTime() - start) / 1e9;
            model.summary();
            plot(history, Path.of("fashion-history.png"));
            Map<String, Double> scores = model.evaluate(data.xTest(), data.yTest());
            System.out.printf("test loss %.4f, test accuracy %.4f%n", scores.get("loss"), scores.get("accuracy"));
            int perEpoch = (int) Math.floor(data.xTrain().length * 0.9);
            return new ExampleResult(scores, seconds, (long) perEpoch * history.epoch().size(), perEpoch,
                    history.trainingSeconds());
        }
    }
}
