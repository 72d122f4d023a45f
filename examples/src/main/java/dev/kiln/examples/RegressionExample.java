// What this teaches: regression. One linear unit trained with mean squared error recovers the
// coefficients of y = 3·x0 − 2·x1 + 0.5·x2 + 1 + noise from 1,600 generated rows (400 more are the test set); the test loss ends
// near the noise's variance (0.01).
//
// Run it:  ./kiln demo --model regression
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.Layers.Dense;

import dev.kiln.Model;
import dev.kiln.Sequential;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Regression with mean squared error: y = 3·x0 − 2·x1 + 0.5·x2 + 1 + noise, learned by one linear
 * unit; the fitted weights should land near the true coefficients.
 */
public final class RegressionExample {
    static final float[] TRUE_WEIGHTS = {3f, -2f, 0.5f};
    static final float TRUE_BIAS = 1f;
    static final double NOISE = 0.1;

    private RegressionExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(20, 32).testScores());
    }

    static ExampleResult run(int epochCount, int batch) {
        Random random = new Random(7);
        float[][] x = new float[2000][3];
        float[][] y = new float[2000][1];
        for (int i = 0; i < x.length; i++) {
            double target = TRUE_BIAS;
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) random.nextGaussian();
                target += TRUE_WEIGHTS[j] * x[i][j];
            }
            y[i][0] = (float) (target + NOISE * random.nextGaussian());
        }
        float[][] xTrain = java.util.Arrays.copyOfRange(x, 0, 1600);
        float[][] yTrain = java.util.Arrays.copyOfRange(y, 0, 1600);
        float[][] xTest = java.util.Arrays.copyOfRange(x, 1600, 2000);
        float[][] yTest = java.util.Arrays.copyOfRange(y, 1600, 2000);
        try (Model model = Sequential.of(Dense(1)).compile("sgd", "mse", "mae")) {
            long start = System.nanoTime();
            var history = model.fit(xTrain, yTrain, epochs(epochCount), batchSize(batch), validationSplit(0.1));
            double seconds = (System.nanoTime() - start) / 1e9;
            List<float[]> w = model.getWeights();
            System.out.printf("learned y = %.3f·x0 + %.3f·x1 + %.3f·x2 + %.3f (true: 3, -2, 0.5, 1)%n",
                    w.get(0)[0], w.get(0)[1], w.get(0)[2], w.get(1)[0]);
            Map<String, Double> scores = model.evaluate(xTest, yTest);
            int perEpoch = (int) Math.floor(1600 * 0.9);
            return new ExampleResult(scores, seconds, (long) perEpoch * epochCount, perEpoch, history.trainingSeconds());
        }
    }
}
