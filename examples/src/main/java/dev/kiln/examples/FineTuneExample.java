// What this teaches: looking inside a model and reusing part of it. A network is trained to tell the 10
// Fashion-MNIST classes apart; its first layer, named "features", has learned what clothes look like.
// A second model for a new question (is it footwear: sandal, sneaker or ankle boot?) takes those
// weights, freezes the layer (setTrainable(false), then compile) and trains only its new head: the
// frozen weights stay bit for bit as they were. Then the layer is unfrozen and everything is trained a
// little more at a 10× smaller learning rate (fine-tuning). Layer tables and weight shapes are printed.
//
// Run it:  ./kiln demo --model fine-tune            (--epochs is per phase, 2 by default)
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.Datasets;
import dev.kiln.Model;
import dev.kiln.ModelLayer;
import dev.kiln.Sequential;
import dev.kiln.optimizers.Adam;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Freezing a trained layer, training a new head on it, then fine-tuning the whole model. */
public final class FineTuneExample {
    /** Fashion-MNIST's footwear classes: sandal, sneaker, ankle boot. */
    private static final List<Integer> FOOTWEAR = List.of(5, 7, 9);

    private FineTuneExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(2, 128).extras());
    }

    static ExampleResult run(int epochsPerPhase, int batch) {
        Datasets.Split data = Datasets.fashionMnist();
        long start = System.nanoTime();
        try (Model base = Sequential.of(Input(784), Dense(128, "relu").named("features"),
                Dense(10, "softmax").named("classes")).compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            System.out.println("1. the base model learns the 10 classes");
            base.fit(data.xTrain(), data.yTrain(), epochs(epochsPerPhase), batchSize(batch), verbose(2));
            double baseAccuracy = base.evaluate(data.xTest(), data.yTest()).get("accuracy");
            System.out.println(base.getLayer("features").weights() + "  test accuracy "
                    + String.format(Locale.ROOT, "%.4f", baseAccuracy));

            // A new head for a new question, on a copy of the learned features.
            var seq = Sequential.of(Input(784), Dense(128, "relu").named("features"));
            seq.add(Dense(1, "sigmoid").named("footwear"));
            try (Model footwear = seq.compile("adam", "binary_crossentropy", "accuracy")) {
                ModelLayer features = footwear.getLayer("features");
                features.setWeights(base.getLayer("features").getWeights());
                features.setTrainable(false);
                footwear.compile("adam", "binary_crossentropy", "accuracy"); // the freeze takes effect here
                System.out.println("\n2. the features are frozen; only the footwear head trains");
                footwear.summary();
                float[][] yTrain = isFootwear(data.yTrain());
                float[][] yTest = isFootwear(data.yTest());
                List<float[]> frozen = features.getWeights();
                footwear.fit(data.xTrain(), yTrain, epochs(epochsPerPhase), batchSize(batch), verbose(2));
                boolean unchanged = sameValues(frozen, features.getWeights());
                double headAccuracy = footwear.evaluate(data.xTest(), yTest).get("accuracy");
                System.out.printf(Locale.ROOT, "frozen weights unchanged: %b; footwear test accuracy %.4f%n", unchanged,
                        headAccuracy);

                System.out.println("\n3. fine-tuning: everything trains, at a 10x smaller learning rate");
                features.setTrainable(true);
                footwear.compile(new Adam(1e-4), "binary_crossentropy", "accuracy");
                footwear.fit(data.xTrain(), yTrain, epochs(1), batchSize(batch), verbose(2));
                boolean moved = !sameValues(frozen, features.getWeights());
                Map<String, Double> scores = footwear.evaluate(data.xTest(), yTest);
                double seconds = (System.nanoTime() - start) / 1e9;
                for (ModelLayer layer : footwear.layers()) {
                    System.out.println(layer + ": " + layer.weights());
                }
                System.out.printf(Locale.ROOT, "after fine-tuning: footwear test accuracy %.4f (features moved: %b)%n",
                        scores.get("accuracy"), moved);
                Map<String, Object> extras = Map.of("base_test_accuracy", baseAccuracy, "head_test_accuracy",
                        headAccuracy, "frozen_unchanged", unchanged, "unfrozen_moved", moved);
                int rows = data.xTrain().length;
                return new ExampleResult(scores, seconds, (long) rows * (2L * epochsPerPhase + 1), rows, List.of(),
                        extras);
            }
        }
    }

    static float[][] isFootwear(int[] labels) {
        float[][] y = new float[labels.length][1];
        for (int i = 0; i < labels.length; i++) {
            y[i][0] = FOOTWEAR.contains(labels[i]) ? 1f : 0f;
        }
        return y;
    }

    private static boolean sameValues(List<float[]> a, List<float[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return a.size() == b.size();
    }
}
