// What this teaches: binary classification on tabular data, the everyday case XOR is too small to
// show. 4,000 loan applicants are generated in code (income, debt-to-income ratio, years employed,
// late payments) with a known probability of default; the features are standardised with the
// training set's mean and standard deviation (a step tabular data needs and images do not), and a
// small network with a sigmoid output learns P(default) with binary_crossentropy. Because the data's
// true probabilities are known, the program also prints the best accuracy any model could reach.
//
// Run it:  ./kiln demo --model binary
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.History;
import dev.kiln.Model;
import dev.kiln.Sequential;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Loan default prediction from four generated features: standardisation, sigmoid, binary_crossentropy. */
public final class BinaryClassificationExample {
    static final int ROWS = 4000;
    static final int TEST_ROWS = 800;
    static final String[] FEATURES = {"income (k$)", "debt-to-income", "years employed", "late payments"};

    private BinaryClassificationExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(20, 32).testScores());
    }

    /** Applicants with their true probability of default; the label is drawn from it. */
    record Applicants(float[][] x, int[] y, double[] probability) {
    }

    static Applicants generate(int rows, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[rows][4];
        int[] y = new int[rows];
        double[] p = new double[rows];
        for (int i = 0; i < rows; i++) {
            double income = Math.exp(3.9 + 0.45 * r.nextGaussian()); // about 50k, skewed like incomes are
            double debtToIncome = Math.min(0.9, Math.max(0, 0.3 + 0.15 * r.nextGaussian()));
            double years = Math.floor(r.nextDouble() * 30);
            double late = Math.min(6, Math.floor(-Math.log(1 - r.nextDouble()) * 1.2));
            double logit = -0.5 + 8 * (debtToIncome - 0.3) - 0.03 * (income - 50) - 0.08 * (years - 15) + (late - 1);
            p[i] = 1 / (1 + Math.exp(-logit));
            y[i] = r.nextDouble() < p[i] ? 1 : 0;
            x[i] = new float[] {(float) income, (float) debtToIncome, (float) years, (float) late};
        }
        return new Applicants(x, y, p);
    }

    static ExampleResult run(int epochCount, int batch) {
        Applicants all = generate(ROWS, 2024);
        int trainRows = ROWS - TEST_ROWS;
        float[][] xTrain = Arrays.copyOfRange(all.x(), 0, trainRows);
        int[] yTrain = Arrays.copyOfRange(all.y(), 0, trainRows);
        float[][] xTest = Arrays.copyOfRange(all.x(), trainRows, ROWS);
        int[] yTest = Arrays.copyOfRange(all.y(), trainRows, ROWS);

        // Standardise with the training rows' statistics only: the test rows stand for applicants to come.
        double[][] meanStd = meanAndStd(xTrain);
        xTrain = standardised(xTrain, meanStd);
        xTest = standardised(xTest, meanStd);

        try (Model model = Sequential.of(Input(4), Dense(16, "relu"), Dense(1, "sigmoid"))
                .compile("adam", "binary_crossentropy", "accuracy")) {
            long start = System.nanoTime();
            History history = model.fit(xTrain, yTrain, epochs(epochCount), batchSize(batch), validationSplit(0.1),
                    verbose(2));
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> scores = model.evaluate(xTest, yTest);

            float[][] p = model.predict(Arrays.copyOfRange(xTest, 0, 3));
            for (int i = 0; i < p.length; i++) {
                float[] raw = all.x()[trainRows + i];
                System.out.printf(Locale.ROOT, "applicant %d: income %.0fk, debt-to-income %.2f, %d years, %d late"
                        + " payments -> P(default) %.2f (true %.2f, defaulted: %s)%n", i + 1, raw[0], raw[1],
                        (int) raw[2], (int) raw[3], p[i][0], all.probability()[trainRows + i], yTest[i] == 1);
            }
            double best = bayesAccuracy(all, trainRows);
            double majority = majorityAccuracy(yTest);
            System.out.printf(Locale.ROOT, "test accuracy %.4f; always answering the commoner class: %.4f; the best"
                    + " any model can do on these rows (knowing the true probabilities): %.4f%n",
                    scores.get("accuracy"), majority, best);
            int perEpoch = (int) Math.floor(trainRows * 0.9);
            Map<String, Object> extras = new HashMap<>();
            extras.put("best_possible_accuracy", best);
            extras.put("majority_class_accuracy", majority);
            return new ExampleResult(scores, seconds, (long) perEpoch * history.epoch().size(), perEpoch,
                    history.trainingSeconds(), extras);
        }
    }

    static double[][] meanAndStd(float[][] x) {
        int width = x[0].length;
        double[] mean = new double[width];
        double[] std = new double[width];
        for (float[] row : x) {
            for (int j = 0; j < width; j++) {
                mean[j] += row[j] / (double) x.length;
            }
        }
        for (float[] row : x) {
            for (int j = 0; j < width; j++) {
                std[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / x.length;
            }
        }
        for (int j = 0; j < width; j++) {
            std[j] = Math.sqrt(std[j]);
            if (std[j] == 0) {
                std[j] = 1; // a constant column: centre it, do not divide by zero
            }
        }
        return new double[][] {mean, std};
    }

    static float[][] standardised(float[][] x, double[][] meanStd) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new float[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = (float) ((x[i][j] - meanStd[0][j]) / meanStd[1][j]);
            }
        }
        return out;
    }

    /** The accuracy of predicting default exactly when its true probability is above one half. */
    static double bayesAccuracy(Applicants all, int from) {
        int right = 0;
        for (int i = from; i < all.y().length; i++) {
            right += (all.probability()[i] > 0.5 ? 1 : 0) == all.y()[i] ? 1 : 0;
        }
        return right / (double) (all.y().length - from);
    }

    static double majorityAccuracy(int[] y) {
        double ones = Arrays.stream(y).sum() / (double) y.length;
        return Math.max(ones, 1 - ones);
    }
}
