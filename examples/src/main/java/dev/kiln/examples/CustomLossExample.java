// What this teaches: your own loss and metric, written with Ops. A shop forecasts tomorrow's demand
// for a product from three generated features; running out of stock (forecasting too low) costs three
// times what a leftover item does (forecasting too high). Mean squared error treats both alike, so its
// forecast runs short about half the time. An asymmetric loss, written in a few lines with Ops, weighs
// shortfalls three times: the same network from the same starting weights then forecasts higher and
// runs short far less often. A custom metric, short_rate (the share of days the forecast fell short),
// is reported in History by its name for both, and the trained model is saved and loaded back by its
// loss's registered name.
//
// Run it:  ./kiln demo --model custom-loss
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.History;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.losses.CustomLoss;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.CustomMetric;
import dev.kiln.metrics.Metrics;
import dev.kiln.ops.Ops;
import dev.kiln.ops.Symbol;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Demand forecasts trained with mean squared error and with an asymmetric loss written with Ops. */
public final class CustomLossExample {
    static final int ROWS = 6000;
    static final int TEST_ROWS = 2000;
    /** What a unit short costs, in units of what a unit left over costs. */
    static final double SHORTFALL_COST = 3.0;

    /** Squared error, three times heavier where the forecast falls short of the demand. */
    static final CustomLoss ASYMMETRIC = Losses.custom("shop>asymmetric_mse", (demand, forecast) -> {
        Symbol error = Ops.subtract(demand, forecast); // > 0: the forecast fell short
        Symbol weight = Ops.where(Ops.greater(error, 0.0), Ops.constant(SHORTFALL_COST), Ops.constant(1.0));
        return Ops.mean(Ops.multiply(weight, Ops.square(error)), -1);
    });

    /** The share of days whose forecast fell short of the demand (a comparison: no gradient, a metric). */
    static final CustomMetric SHORT_RATE = Metrics.custom("shop>short_rate",
            (demand, forecast) -> Ops.mean(Ops.less(forecast, demand), -1));

    private CustomLossExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(20, 64).testScores());
    }

    /** Demand = a smooth function of three features plus noise that no feature explains. */
    static float[][] generate(int rows, float[][] demand, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[rows][3];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            double mean = 5 + 1.5 * x[i][0] - x[i][1] + 0.5 * x[i][0] * x[i][2];
            demand[i][0] = (float) (mean + r.nextGaussian());
        }
        return x;
    }

    static ExampleResult run(int epochCount, int batch) {
        float[][] demand = new float[ROWS][1];
        float[][] x = generate(ROWS, demand, 11);
        int trainRows = ROWS - TEST_ROWS;
        float[][] xTrain = Arrays.copyOfRange(x, 0, trainRows);
        float[][] yTrain = Arrays.copyOfRange(demand, 0, trainRows);
        float[][] xTest = Arrays.copyOfRange(x, trainRows, ROWS);
        float[][] yTest = Arrays.copyOfRange(demand, trainRows, ROWS);

        try (Model plain = Sequential.of(Input(3), Dense(16, "relu"), Dense(1)).compile("adam", "mse", SHORT_RATE);
                Model asymmetric = Sequential.of(Input(3), Dense(16, "relu"), Dense(1))
                        .compile("adam", ASYMMETRIC, SHORT_RATE)) {
            asymmetric.setWeights(plain.getWeights()); // the same starting point: only the loss differs
            long start = System.nanoTime();
            History plainHistory = plain.fit(xTrain, yTrain, epochs(epochCount), batchSize(batch), verbose(0));
            History asymmetricHistory = asymmetric.fit(xTrain, yTrain, epochs(epochCount), batchSize(batch),
                    verbose(0));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.println("History keys: " + asymmetricHistory.history().keySet());
            double plainCost = cost(plain.predict(xTest), yTest);
            double asymmetricCost = cost(asymmetric.predict(xTest), yTest);
            Map<String, Double> before = plain.evaluate(xTest, yTest);
            Map<String, Double> after = asymmetric.evaluate(xTest, yTest);
            System.out.printf(Locale.ROOT, "%-22s %10s %12s%n", "test days", "short_rate", "cost per day");
            System.out.printf(Locale.ROOT, "%-22s %10.3f %12.3f%n", "mse", before.get("short_rate"), plainCost);
            System.out.printf(Locale.ROOT, "%-22s %10.3f %12.3f%n", "asymmetric_mse", after.get("short_rate"),
                    asymmetricCost);

            boolean reloaded = saveAndLoad(asymmetric, xTest, yTest, after);
            Map<String, Object> extras = new HashMap<>();
            extras.put("mse_short_rate", before.get("short_rate"));
            extras.put("mse_cost", plainCost);
            extras.put("asymmetric_cost", asymmetricCost);
            extras.put("reloaded_evaluates_the_same", reloaded);
            List<Double> epochSeconds = new ArrayList<>(plainHistory.trainingSeconds());
            epochSeconds.addAll(asymmetricHistory.trainingSeconds());
            return new ExampleResult(after, seconds, 2L * epochCount * trainRows, trainRows, epochSeconds, extras);
        }
    }

    /** What the forecasts cost the shop per day: SHORTFALL_COST per unit short, 1 per unit left over. */
    static double cost(float[][] forecast, float[][] demand) {
        double total = 0;
        for (int i = 0; i < demand.length; i++) {
            double error = demand[i][0] - forecast[i][0];
            total += error > 0 ? SHORTFALL_COST * error : -error;
        }
        return total / demand.length;
    }

    /** Saved with its loss's registered name, shop>asymmetric_mse; this program defined it, so it loads. */
    private static boolean saveAndLoad(Model model, float[][] x, float[][] y, Map<String, Double> scores) {
        try {
            Path file = Files.createTempFile("custom-loss", ".keras");
            try {
                model.save(file);
                try (Model again = Model.load(file)) {
                    Map<String, Double> reloaded = again.evaluate(x, y);
                    System.out.println("saved and loaded back by its registered name: " + reloaded);
                    return reloaded.equals(scores);
                }
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
