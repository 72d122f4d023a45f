// What this teaches: binary classification with a sigmoid output and binary_crossentropy, on the
// smallest problem a single layer cannot solve (XOR): a hidden tanh layer makes it learnable.
//
// Run it:  ./kiln demo --model xor
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.optimizers.Adam;
import java.util.Map;

/** XOR, the function a single layer cannot learn: a hidden tanh layer and a sigmoid output. */
public final class XorExample {
    static final float[][] X = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
    static final int[] Y = {0, 1, 1, 0};

    private XorExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(300, 4).testScores());
    }

    static ExampleResult run(int epochCount, int batch) {
        try (Model model = Sequential.of(Input(2), Dense(8, "tanh"), Dense(1, "sigmoid"))
                .compile(new Adam(0.05), "binary_crossentropy", "accuracy")) {
            long start = System.nanoTime();
            var history = model.fit(X, Y, epochs(epochCount), batchSize(batch), verbose(0));
            double seconds = (System.nanoTime() - start) / 1e9;
            float[][] p = model.predict(X);
            for (int i = 0; i < X.length; i++) {
                System.out.printf("xor(%.0f, %.0f) = %.3f (expected %d)%n", X[i][0], X[i][1], p[i][0], Y[i]);
            }
            Map<String, Double> scores = model.evaluate(X, Y);
            System.out.printf("loss %.4f, accuracy %.2f%n", scores.get("loss"), scores.get("accuracy"));
            return new ExampleResult(scores, seconds, (long) X.length * epochCount, X.length, history.trainingSeconds());
        }
    }
}
