package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.sampleWeight;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ModelFormatException;
import dev.kiln.losses.CustomLoss;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.CustomMetric;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.ops.LossExpression;
import dev.kiln.ops.Ops;
import dev.kiln.ops.Symbol;
import dev.kiln.optimizers.SGD;
import dev.kiln.testing.UncheckedFileErrors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The user's own losses and metrics written with {@link Ops}: they train as the built-in loss they
 * restate, give Keras 3.15.1's values (JAX backend; computed with {@code LossFunctionWrapper} around the
 * same function written with {@code keras.ops}), appear in History by name, and save and load by their
 * registered name.
 */
class CustomLossTest {
    private static final float[][] X = new float[10][3];
    private static final float[][] Y = new float[10][2];
    private static final float[] W = {1f, 2f, 0f, 0.5f, 1f, 3f, 1f, 1f, 0f, 2f};
    private static final float[] K1 = {0.2f, -0.3f, 0.1f, 0.4f, -0.5f, 0.25f, 0.3f, -0.1f, 0.15f, 0.05f, -0.2f, 0.35f};
    private static final float[] B1 = {0.01f, -0.02f, 0.03f, 0f};
    private static final float[] K2 = {0.3f, -0.2f, 0.1f, 0.4f, -0.25f, 0.2f, 0.05f, -0.1f};

    private static final LossExpression MSE = (yTrue, yPred) -> Ops.mean(Ops.square(Ops.subtract(yTrue, yPred)), -1);
    private static final LossExpression MAE = (yTrue, yPred) -> Ops.mean(Ops.abs(Ops.subtract(yPred, yTrue)), -1);

    static {
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 3; j++) {
                X[i][j] = (float) ((i * 7 + j * 3) % 11 / 10.0 - 0.5);
            }
            Y[i][0] = (float) Math.sin(i) * 2.5f;
            Y[i][1] = (float) ((i % 4) - 1.5);
        }
    }

    /** Keras' Huber with δ = 1, written with ops. */
    static Symbol huber(Symbol yTrue, Symbol yPred) {
        Symbol error = Ops.subtract(yPred, yTrue);
        Symbol small = Ops.lessEqual(Ops.abs(error), 1.0);
        return Ops.mean(Ops.where(small, Ops.multiply(0.5, Ops.square(error)), Ops.subtract(Ops.abs(error), 0.5)),
                -1);
    }

    private static Model model(Loss loss, Metric... metrics) {
        Model m = Sequential.of(Input(3), Dense(4, "relu"), Dense(2)).compile(new SGD(0.05), loss, metrics);
        m.setWeights(List.of(K1, B1, K2, new float[2]));
        return m;
    }

    @Test
    void aCustomMeanSquaredErrorTrainsAsTheBuiltInOne() {
        assertTrainsAs(Losses.meanSquaredError(), Losses.custom("my_mse", MSE));
    }

    @Test
    void aCustomHuberTrainsAsTheBuiltInOne() {
        assertTrainsAs(Losses.huber(), Losses.custom("my_huber", CustomLossTest::huber));
    }

    private static void assertTrainsAs(Loss builtIn, CustomLoss custom) {
        try (Model a = model(builtIn); Model b = model(custom)) {
            History ha = a.fit(X, Y, sampleWeight(W), batchSize(4), epochs(3), shuffle(false), verbose(0),
                    validationSplit(0.2));
            History hb = b.fit(X, Y, sampleWeight(W), batchSize(4), epochs(3), shuffle(false), verbose(0),
                    validationSplit(0.2));
            assertEquals(ha.history().keySet(), hb.history().keySet());
            for (String key : ha.history().keySet()) {
                for (int e = 0; e < 3; e++) {
                    assertEquals(ha.history().get(key).get(e), hb.history().get(key).get(e), 1e-6, key + " " + e);
                }
            }
            for (int p = 0; p < 4; p++) {
                float[] wa = a.getWeights().get(p);
                float[] wb = b.getWeights().get(p);
                for (int i = 0; i < wa.length; i++) {
                    assertEquals(wa[i], wb[i], 1e-6, "parameter " + p + "[" + i + "]");
                }
            }
            assertEquals(a.evaluate(X, Y).get("loss"), b.evaluate(X, Y).get("loss"), 1e-6);
            assertEquals(a.evaluate(X, Y, W).get("loss"), b.evaluate(X, Y, W).get("loss"), 1e-6);
        }
    }

    private static final float[][] TRUE = {{0.1f, 0.9f, 0.3f}, {1.0f, -2.0f, 0.5f}};
    private static final float[][] PRED = {{0.4f, 0.2f, -1.1f}, {2.5f, -1.0f, 0.45f}};
    private static final float[][] LABELS = {{1, 0, 1}, {0, 0, 1}};
    private static final float[][] PROBABILITIES = {{0.8f, 0.3f, 0.1f}, {0.05f, 0.6f, 0.97f}};

    @Test
    void customLossesGiveKerasValues() {
        CustomLoss huber = Losses.custom("huberish", CustomLossTest::huber);
        assertEquals(0.44854170083999634, lossValue(huber, TRUE, PRED, null), 1e-6);
        assertEquals(0.5995833873748779, lossValue(huber, TRUE, PRED, new float[] {0.5f, 2f}), 1e-6);
        CustomLoss focal = Losses.custom("focal", (yTrue, yPred) -> {
            Symbol p = Ops.clip(yPred, 1e-7, 1 - 1e-7);
            Symbol positive = Ops.multiply(Ops.multiply(Ops.negative(yTrue), Ops.square(Ops.subtract(1.0, p))),
                    Ops.log(p));
            Symbol negative = Ops.multiply(Ops.multiply(Ops.subtract(1.0, yTrue), Ops.square(p)),
                    Ops.log(Ops.subtract(1.0, p)));
            return Ops.mean(Ops.subtract(positive, negative), -1);
        });
        assertEquals(0.3726901412010193, lossValue(focal, LABELS, PROBABILITIES, null), 1e-6);
        CustomLoss softmaxCrossEntropy = Losses.custom("sm", (yTrue, yPred) -> Ops.negative(Ops.sum(Ops.multiply(
                yTrue, Ops.log(Ops.softmax(yPred, -1))), -1)));
        assertEquals(2.5626111030578613, lossValue(softmaxCrossEntropy, LABELS, PRED, null), 1e-6);
    }

    /** The batch loss as a compiled model computes it: Σ w·ℓ over the row count (Keras' sum_over_batch_size). */
    private static double lossValue(Loss loss, float[][] yTrue, float[][] yPred, float[] weights) {
        LossFunction function = loss.function();
        int rows = yTrue.length;
        int width = yTrue[0].length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = arena.allocate((long) rows * width * 4);
            MemorySegment p = arena.allocate((long) rows * width * 4);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < width; j++) {
                    t.setAtIndex(JAVA_FLOAT, (long) r * width + j, yTrue[r][j]);
                    p.setAtIndex(JAVA_FLOAT, (long) r * width + j, yPred[r][j]);
                }
            }
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                sum += (weights == null ? 1 : weights[r]) * function.sum(p, t, null, width, 1f, r, r + 1);
            }
            return sum / rows;
        }
    }

    @Test
    void aCustomMetricIsInHistoryByNameAndAveragesAsKeras() {
        try (Model m = model(Losses.meanSquaredError(), Metrics.meanAbsoluteError(), Metrics.custom("my_mae", MAE))) {
            History h = m.fit(X, Y, batchSize(3), epochs(2), shuffle(false), verbose(0), validationSplit(0.3));
            assertEquals(List.of("loss", "mae", "my_mae", "val_loss", "val_mae", "val_my_mae"),
                    List.copyOf(h.history().keySet()));
            for (String key : List.of("mae", "val_mae")) {
                String custom = key.replace("mae", "my_mae");
                for (int e = 0; e < 2; e++) {
                    assertEquals(h.history().get(key).get(e), h.history().get(custom).get(e), 1e-6, custom);
                }
            }
            Map<String, Double> scores = m.evaluate(X, Y);
            assertEquals(scores.get("mae"), scores.get("my_mae"), 1e-6);
        }
    }

    @Test
    void aModelWithCustomObjectsSavesTheirRegisteredNamesAndLoadsOnceTheyAreRegistered(@TempDir Path dir) {
        CustomLoss loss = Losses.custom("kiln_test>saved_mse", MSE);
        CustomMetric metric = Metrics.custom("saved_mae", MAE);
        assertEquals("kiln_test>saved_mse", loss.registeredName());
        assertEquals("Custom>saved_mae", metric.registeredName());
        for (String file : List.of("custom.keras", "custom.kiln")) {
            Path path = dir.resolve(file);
            Kiln.registerCustomObject(loss);
            Kiln.registerCustomObject(metric);
            try (Model m = model(loss, metric)) {
                m.fit(X, Y, batchSize(4), epochs(1), shuffle(false), verbose(0));
                m.save(path);
                Kiln.unregisterCustomObject(loss.registeredName());
                Kiln.unregisterCustomObject(metric.registeredName());
                ModelFormatException missing = UncheckedFileErrors.assertCause(ModelFormatException.class,
                        () -> Model.load(path));
                assertTrue(missing.getMessage().contains("'kiln_test>saved_mse' is a custom loss that is not "
                        + "registered") && missing.getMessage().contains("Losses.custom(\"kiln_test>saved_mse\""),
                        missing.getMessage());
                Kiln.registerCustomObject(loss);
                ModelFormatException metricMissing = UncheckedFileErrors.assertCause(ModelFormatException.class,
                        () -> Model.load(path));
                assertTrue(metricMissing.getMessage().contains("'Custom>saved_mae'"), metricMissing.getMessage());
                Kiln.registerCustomObject(metric);
                try (Model again = Model.load(path)) {
                    assertEquals(m.evaluate(X, Y), again.evaluate(X, Y));
                    History ha = m.fit(X, Y, batchSize(4), epochs(1), shuffle(false), verbose(0));
                    History hb = again.fit(X, Y, batchSize(4), epochs(1), shuffle(false), verbose(0));
                    assertEquals(ha.history(), hb.history());
                }
            } finally {
                Kiln.unregisterCustomObject(loss.registeredName());
                Kiln.unregisterCustomObject(metric.registeredName());
            }
        }
    }

    @Test
    void theKerasConfigNamesTheRegisteredFunctionAsKerasDoes(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("config.kiln");
        try (Model m = model(Losses.custom("my_pkg>my_loss", MSE), Metrics.custom("huberish", CustomLossTest::huber))) {
            m.save(path);
        }
        JsonNode compile;
        try (ZipFile zip = new ZipFile(path.toFile())) {
            compile = new ObjectMapper().readTree(zip.getInputStream(zip.getEntry("config.json"))).path(
                    "compile_config");
        }
        // Keras 3.15.1's get_compile_config() for the same registered functions
        ObjectMapper json = new ObjectMapper();
        assertEquals(json.readTree("{\"module\": \"builtins\", \"class_name\": \"function\", \"config\": "
                + "\"my_pkg>my_loss\", \"registered_name\": \"function\"}"), compile.get("loss"));
        assertEquals(json.readTree("[{\"module\": \"builtins\", \"class_name\": \"function\", \"config\": "
                + "\"Custom>huberish\", \"registered_name\": \"function\"}]"), compile.get("metrics"));
    }

    @Test
    void badCustomObjectsAreRefusedByName() {
        assertMessage("non-empty name", () -> Losses.custom(" ", MSE));
        assertMessage("'a>b>c' must be 'package>name'", () -> Losses.custom("a>b>c", MSE));
        assertMessage("'>b' must be 'package>name'", () -> Metrics.custom(">b", MSE));
        assertMessage("custom loss 'x' needs a function", () -> Losses.custom("x", null));
        assertMessage("custom loss 'two' returns a constant", () -> Losses.custom("two", (t, p) -> Ops.constant(2)));
        assertMessage("the function returned null", () -> Metrics.custom("m", (t, p) -> null));
        assertMessage("mean over axis 0 is not supported", () -> Losses.custom("x", (t, p) -> Ops.mean(p, 0)));
        assertMessage("clip needs min <= max, got min 1.0 and max 0.0", () -> Losses.custom("x",
                (t, p) -> Ops.clip(p, 1, 0)));
        assertMessage("custom object is null", () -> Kiln.registerCustomObject((CustomLoss) null));
        try (Model m = Sequential.of(Input(3), Dense(2, "softmax")).compile("adam",
                "sparse_categorical_crossentropy")) {
            assertMessage("metric 'my_mae' reads targets as wide as the output", () -> m.compile("adam",
                    "sparse_categorical_crossentropy", Metrics.custom("my_mae", MAE)));
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
