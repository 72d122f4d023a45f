package com.example.app;

import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A whole application on Kiln: points in a square, labelled by whether they lie inside a circle, which
 * no straight line separates. A small network learns the circle; the program prints its test accuracy.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.out.printf(Locale.ROOT, "test accuracy: %.3f%n", trainAndTest(42));
    }

    /** Trains on 800 generated points and returns the accuracy on 200 others. */
    static double trainAndTest(long seed) {
        Kiln.setSeed(seed);
        Random random = new Random(seed);
        float[][] x = new float[1000][2];
        int[] y = new int[1000];
        for (int i = 0; i < x.length; i++) {
            x[i][0] = 2 * random.nextFloat() - 1;
            x[i][1] = 2 * random.nextFloat() - 1;
            y[i] = x[i][0] * x[i][0] + x[i][1] * x[i][1] < 0.5f ? 1 : 0;
        }
        float[][] xTrain = Arrays.copyOfRange(x, 0, 800);
        int[] yTrain = Arrays.copyOfRange(y, 0, 800);
        float[][] xTest = Arrays.copyOfRange(x, 800, 1000);
        int[] yTest = Arrays.copyOfRange(y, 800, 1000);

        try (Model model = Sequential.of(Input(2), Dense(16, "relu"), Dense(16, "relu"), Dense(1, "sigmoid"))
                .compile("adam", "binary_crossentropy", "accuracy")) {
            model.fit(xTrain, yTrain, epochs(60), verbose(0));
            Map<String, Double> scores = model.evaluate(xTest, yTest);
            return scores.get("accuracy");
        }
    }
}
