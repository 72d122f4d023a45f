package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.losses.Losses;
import dev.kiln.losses.MeanAbsolutePercentageError;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.metrics.R2Score;
import dev.kiln.metrics.RootMeanSquaredError;
import dev.kiln.optimizers.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * root_mean_squared_error, r2_score and the loss functions Keras takes as metric names (mape, msle,
 * kl_divergence, the hinges): the numbers Keras 3.15.1 (JAX backend) printed for the same model, weights,
 * data and batches (of 3, so that the epoch's last batch is short and a mean of per-batch values would
 * differ), their names and their save and load.
 */
class RegressionMetricsTest {
    private static final float[][] X = new float[10][3];
    private static final float[][] Y = new float[10][2];
    private static final String[] METRICS = {"mape", "msle", "root_mean_squared_error", "r2_score", "hinge",
        "squared_hinge", "kl_divergence", "categorical_hinge"};

    static {
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 3; j++) {
                X[i][j] = (float) ((i * 7 + j * 3) % 11 / 10.0 - 0.5);
            }
            for (int j = 0; j < 2; j++) {
                Y[i][j] = (float) ((i * 5 + j * 2) % 7 / 3.0 - 0.8);
            }
        }
    }

    @TempDir
    Path dir;

    /** Metrics given as names or objects, resolved as a user mixing them would: with Metrics.resolve. */
    private static Model model(Object... metrics) {
        Metric[] resolved = new Metric[metrics.length];
        for (int i = 0; i < metrics.length; i++) {
            resolved[i] = metrics[i] instanceof String name ? Metrics.resolve(name) : (Metric) metrics[i];
        }
        Model m = Sequential.of(Input(3), Dense(2)).compile(new SGD(0.1), "mse", resolved);
        m.setWeights(List.of(new float[] {0.3f, -0.2f, 0.1f, 0.4f, -0.25f, 0.2f}, new float[] {0.05f, -0.1f}));
        return m;
    }

    private static void assertKeras(Map<String, Double> expected, Map<String, Double> actual) {
        for (Map.Entry<String, Double> e : expected.entrySet()) {
            assertEquals(e.getValue(), actual.get(e.getKey()), 3e-6 * Math.max(1, Math.abs(e.getValue())), e.getKey());
        }
    }

    @Test
    void evaluateAndFitMatchKeras() {
        try (Model m = model((Object[]) METRICS)) {
            assertKeras(Map.of("loss", 0.5474440455436707, "mape", 114.01424407958984, "msle", 0.13615933060646057,
                    "root_mean_squared_error", 0.7398946285247803, "r2_score", -0.19325000047683716,
                    "hinge", 1.0159833431243896, "squared_hinge", 1.0490210056304932,
                    "kl_divergence", 5.895838260650635, "categorical_hinge", 1.1131666898727417), m.evaluate(X, Y));
            Map<String, List<Double>> h = m.fit(X, Y, batchSize(3), epochs(2), shuffle(false), verbose(0)).history();
            double[][] keras = {
                {0.542930543422699, 0.5005454421043396}, {115.2684326171875, 117.44108581542969},
                {0.13634027540683746, 0.12201216071844101}, {0.7368382215499878, 0.7074923515319824},
                {-0.18355339765548706, -0.0916602611541748}, {1.0142557621002197, 0.996289074420929},
                {1.0450259447097778, 1.010475993156433}, {5.859896659851074, 5.5478410720825195},
                {1.1328744888305664, 1.1767117977142334}};
            String[] keys = {"loss", "mape", "msle", "root_mean_squared_error", "r2_score", "hinge", "squared_hinge",
                "kl_divergence", "categorical_hinge"};
            for (int k = 0; k < keys.length; k++) {
                for (int e = 0; e < 2; e++) {
                    assertEquals(keras[k][e], h.get(keys[k]).get(e), 3e-6 * Math.max(1, Math.abs(keras[k][e])),
                            keys[k] + " epoch " + e);
                }
            }
            assertKeras(Map.of("loss", 0.475532203912735, "root_mean_squared_error", 0.6895884275436401,
                    "r2_score", -0.03729569911956787, "mape", 117.01656341552734), m.evaluate(X, Y));
        }
    }

    /** Keras' R2Score fed the trained model's predictions at once (its num_regressors fails under jit). */
    @Test
    void r2ScoreOptionsMatchKeras() {
        try (Model m = model()) {
            m.fit(X, Y, batchSize(3), epochs(2), shuffle(false), verbose(0));
            assertR2(-0.15958642959594727, m, new R2Score("variance_weighted_average", 2), Y);
            assertR2(-0.2317887544631958, m, new R2Score("uniform_average", 3), Y);
            // n counts every target value (20): 19 regressors leave n − p − 1 = 0, and Keras falls back.
            assertR2(-0.037295758724212646, m, new R2Score("uniform_average", 19), Y);
            // A target column that never varies scores 0 (Keras turns its −∞ into 0).
            float[][] constant = new float[10][];
            for (int i = 0; i < 10; i++) {
                constant[i] = new float[] {Y[i][0], 0.5f};
            }
            assertR2(-0.005153536796569824, m, new R2Score(), constant);
        }
    }

    private static void assertR2(double keras, Model trained, R2Score metric, float[][] y) {
        try (Model m = Sequential.of(Input(3), Dense(2)).compile("sgd", "mse", metric)) {
            m.setWeights(trained.getWeights());
            assertEquals(keras, m.evaluate(X, y).get("r2_score"), 3e-6, metric.classAggregation() + " "
                    + metric.numRegressors());
        }
    }

    @Test
    void namesOptionsAndRefusals() {
        assertEquals(new RootMeanSquaredError(), Metrics.resolve("root_mean_squared_error"));
        assertEquals(new R2Score(), Metrics.resolve("r2_score"));
        assertEquals("mape", Metrics.resolve("mape").name());
        assertEquals("msle", Metrics.resolve("msle").name());
        assertEquals(new MeanAbsolutePercentageError(), Losses.resolve("mape"));
        assertEquals(new MeanAbsolutePercentageError(), Losses.resolve("mean_absolute_percentage_error"));
        assertMessage("classAggregation must be 'uniform_average' or 'variance_weighted_average', got 'sum'",
                () -> new R2Score("sum", 0));
        assertMessage("got null (Keras' per-output scores", () -> new R2Score(null, 0));
        assertMessage("numRegressors must be >= 0, got -1", () -> new R2Score("uniform_average", -1));
        assertMessage("metric 'mape' needs targets as wide as the output",
                () -> Sequential.of(Input(3), Dense(2, "softmax")).compile("adam", "sparse_categorical_crossentropy",
                        "mape"));
        assertMessage("metric 'r2_score' needs targets as wide as the output",
                () -> Sequential.of(Input(3), Dense(2, "softmax")).compile("adam", "sparse_categorical_crossentropy",
                        "r2_score"));
    }

    @Test
    void saveAndLoadKeepsThem() throws IOException {
        Metric adjusted = new R2Score("variance_weighted_average", 2).named("adjusted_r2");
        for (String file : new String[] {"m.kiln", "m.keras"}) {
            Path path = dir.resolve(file);
            try (Model m = model("mape", "msle", "kl_divergence", "hinge", new RootMeanSquaredError(), "r2_score",
                    adjusted); Model plain = Sequential.of(Input(3), Dense(2)).compile("adam", "mape")) {
                m.save(path);
                try (Model loaded = Model.load(path)) {
                    assertEquals(m.metrics().stream().map(Metric::name).toList(),
                            loaded.metrics().stream().map(Metric::name).toList());
                    assertEquals(adjusted, loaded.metrics().get(6));
                    assertEquals(new RootMeanSquaredError(), loaded.metrics().get(4));
                    assertEquals(m.evaluate(X, Y), loaded.evaluate(X, Y));
                }
                Path second = dir.resolve("mape-" + file);
                plain.save(second);
                try (Model loaded = Model.load(second)) {
                    assertEquals(new MeanAbsolutePercentageError(), loaded.loss());
                }
            }
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
