// What this teaches: weights per class for a rare class. 6,000 card payments are generated in code,
// about 4% of them fraudulent, with two features that overlap between the classes. A classifier trained
// plainly learns that "never fraud" is almost always right: high accuracy, few frauds caught. The same
// network from the same starting weights, trained with classWeight (each class weighted by
// rows / (2 · its rows), so that both classes weigh the same in the loss), catches far more of the frauds
// (recall) for some false alarms (precision) and accuracy: the trade a fraud team usually wants. The
// program prints the three figures for both runs.
//
// Run it:  ./kiln demo --model imbalanced
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.classWeight;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.History;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.metrics.Metrics;
import dev.kiln.metrics.Precision;
import dev.kiln.metrics.Recall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** A rare class (fraud, ~4%) trained with and without classWeight: recall, precision and accuracy of each. */
public final class ImbalancedExample {
    static final int ROWS = 6000;
    static final int TEST_ROWS = 2000;
    static final double FRAUD_RATE = 0.04;

    private ImbalancedExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(10, 64).testScores());
    }

    /**
     * Payments with two standardised features (amount, distance from home); frauds are shifted towards
     * large amounts far from home, with enough overlap that no boundary separates the classes.
     */
    static float[][] generate(int rows, int[] labels, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[rows][2];
        for (int i = 0; i < rows; i++) {
            labels[i] = r.nextDouble() < FRAUD_RATE ? 1 : 0;
            double shift = labels[i] == 1 ? 1.6 : 0;
            x[i][0] = (float) (r.nextGaussian() + shift);
            x[i][1] = (float) (r.nextGaussian() + shift);
        }
        return x;
    }

    /** Keras' recipe for balanced class weights: rows / (classes · rows of the class). */
    static Map<Integer, Double> balancedWeights(int[] labels) {
        int positives = Arrays.stream(labels).sum();
        int negatives = labels.length - positives;
        return Map.of(0, labels.length / (2.0 * negatives), 1, labels.length / (2.0 * positives));
    }

    static ExampleResult run(int epochCount, int batch) {
        int[] labels = new int[ROWS];
        float[][] x = generate(ROWS, labels, 7);
        int trainRows = ROWS - TEST_ROWS;
        float[][] xTrain = Arrays.copyOfRange(x, 0, trainRows);
        int[] yTrain = Arrays.copyOfRange(labels, 0, trainRows);
        float[][] xTest = Arrays.copyOfRange(x, trainRows, ROWS);
        int[] yTest = Arrays.copyOfRange(labels, trainRows, ROWS);
        Map<Integer, Double> weights = balancedWeights(yTrain);
        System.out.printf(Locale.ROOT, "%d training payments, %d of them fraud; class weights %s%n", trainRows,
                Arrays.stream(yTrain).sum(), weights);

        try (Model plain = model(); Model weighted = model()) {
            weighted.setWeights(plain.getWeights()); // the same starting point: only the weighting differs
            long start = System.nanoTime();
            History plainHistory = plain.fit(xTrain, yTrain, epochs(epochCount), batchSize(batch), verbose(0));
            History weightedHistory = weighted.fit(xTrain, yTrain, epochs(epochCount), batchSize(batch), verbose(0),
                    classWeight(weights));
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> before = plain.evaluate(xTest, yTest);
            Map<String, Double> after = weighted.evaluate(xTest, yTest);
            System.out.printf(Locale.ROOT, "%-22s %8s %10s %9s%n", "test set", "recall", "precision", "accuracy");
            print("no weights", before);
            print("classWeight(balanced)", after);

            Map<String, Object> extras = new HashMap<>();
            extras.put("unweighted_recall", before.get("recall"));
            extras.put("unweighted_precision", before.get("precision"));
            extras.put("unweighted_accuracy", before.get("accuracy"));
            List<Double> epochSeconds = new ArrayList<>(plainHistory.trainingSeconds());
            epochSeconds.addAll(weightedHistory.trainingSeconds());
            return new ExampleResult(after, seconds, 2L * epochCount * trainRows, trainRows, epochSeconds, extras);
        }
    }

    private static Model model() {
        return Sequential.of(Input(2), Dense(8, "relu"), Dense(1, "sigmoid"))
                .compile("adam", "binary_crossentropy", Metrics.resolve("accuracy"), new Precision(), new Recall());
    }

    private static void print(String run, Map<String, Double> scores) {
        System.out.printf(Locale.ROOT, "%-22s %8.3f %10.3f %9.3f%n", run, scores.get("recall"),
                scores.get("precision"), scores.get("accuracy"));
    }
}
