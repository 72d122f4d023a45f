package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.losses.Huber;
import dev.kiln.losses.LogCosh;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.losses.MeanSquaredLogarithmicError;
import dev.kiln.losses.Poisson;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.Random;
import java.util.function.DoubleBinaryOperator;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Huber, mean squared logarithmic error, log-cosh and Poisson: Keras' values on hand-made rows (each
 * formula in double here, and the number Keras 3.15.1 printed for the same rows, in float32), the loss a
 * model evaluates, the names and defaults, and Huber's delta through save and load.
 */
class RegressionLossesTest {
    private static final double EPSILON = 1e-7f;
    private static final float[][] Y_TRUE = {{0f, 1f, 2.5f}, {3f, 0f, 0.5f}};
    private static final float[][] Y_PRED = {{0.6f, 0.4f, -1f}, {2f, 0.25f, 4f}};

    @TempDir
    Path dir;

    /** Keras' reduction: the mean over the last axis of the elementwise term, then over the rows. */
    private static double reference(float[][] p, float[][] t, DoubleBinaryOperator term) {
        double total = 0;
        for (int i = 0; i < p.length; i++) {
            double row = 0;
            for (int j = 0; j < p[i].length; j++) {
                row += term.applyAsDouble(p[i][j], t[i][j]);
            }
            total += row / p[i].length;
        }
        return total / p.length;
    }

    private static DoubleBinaryOperator huber(double delta) {
        return (p, t) -> {
            double e = Math.abs(p - t);
            return e <= delta ? 0.5 * e * e : delta * e - 0.5 * delta * delta;
        };
    }

    private static final DoubleBinaryOperator MSLE = (p, t) -> {
        double d = Math.log(Math.max(p, EPSILON) + 1) - Math.log(Math.max(t, EPSILON) + 1);
        return d * d;
    };
    private static final DoubleBinaryOperator LOG_COSH = (p, t) -> Math.log(Math.cosh(p - t));
    private static final DoubleBinaryOperator POISSON = (p, t) -> p - t * Math.log(p + EPSILON);

    /** The batch loss the engine computes for {@code loss} on these rows. */
    private static double engine(Loss loss, float[][] p, float[][] t) {
        int rows = p.length;
        int cols = p[0].length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate((long) rows * cols * Float.BYTES);
            MemorySegment target = arena.allocate((long) rows * cols * Float.BYTES);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    out.setAtIndex(JAVA_FLOAT, (long) i * cols + j, p[i][j]);
                    target.setAtIndex(JAVA_FLOAT, (long) i * cols + j, t[i][j]);
                }
            }
            return loss.function().sum(out, target, null, cols, 1f / rows, 0, rows) / rows;
        }
    }

    private static float[][] positive(float[][] p) {
        float[][] out = new float[p.length][];
        for (int i = 0; i < p.length; i++) {
            out[i] = new float[p[i].length];
            for (int j = 0; j < p[i].length; j++) {
                out[i][j] = Math.abs(p[i][j]) + 0.1f;
            }
        }
        return out;
    }

    private static void assertKeras(double keras, double formula, double kiln, String what) {
        assertEquals(formula, kiln, 1e-12 * Math.abs(formula), what + " against the formula");
        // Keras computes in float32: its value is the formula's to float precision.
        assertEquals(keras, kiln, 2e-6 * Math.abs(keras), what + " against Keras");
    }

    @Test
    void valuesAreKeras() {
        // KERAS_BACKEND=jax, keras 3.15.1: keras.losses.Huber()(y_true, y_pred) and so on, on Y_TRUE and
        // Y_PRED as float32 arrays (Poisson on |y_pred| + 0.1).
        assertKeras(1.1485416889190674, reference(Y_PRED, Y_TRUE, huber(1.0)), engine(new Huber(), Y_PRED, Y_TRUE),
                "huber");
        assertKeras(0.6677083969116211, reference(Y_PRED, Y_TRUE, huber(0.5)), engine(new Huber(0.5), Y_PRED, Y_TRUE),
                "huber, delta 0.5");
        assertKeras(0.5832732915878296, reference(Y_PRED, Y_TRUE, MSLE),
                engine(new MeanSquaredLogarithmicError(), Y_PRED, Y_TRUE), "msle");
        assertKeras(1.070085048675537, reference(Y_PRED, Y_TRUE, LOG_COSH), engine(new LogCosh(), Y_PRED, Y_TRUE),
                "log_cosh");
        float[][] rates = positive(Y_PRED);
        assertKeras(1.0622609853744507, reference(rates, Y_TRUE, POISSON), engine(new Poisson(), rates, Y_TRUE),
                "poisson");
    }

    /** Keras' docstring examples, by hand: huber 0.155, log_cosh 0.108. */
    @Test
    void kerasDocstringExamples() {
        float[][] t = {{0f, 1f}, {0f, 0f}};
        // |e| = 0.6, 0.6, 0.4, 0.6, all ≤ 1: ½e² averaged = (0.18 + 0.18 + 0.08 + 0.18)/4 = 0.155.
        assertEquals(0.155, engine(new Huber(), new float[][] {{0.6f, 0.4f}, {0.4f, 0.6f}}, t), 1e-7);
        // One error of 1 among four: log cosh 1 / 4 = 0.10844.
        assertEquals(Math.log(Math.cosh(1)) / 4, engine(new LogCosh(), new float[][] {{1f, 1f}, {0f, 0f}}, t), 1e-15);
        assertEquals(0.108, Math.log(Math.cosh(1)) / 4, 5e-4);
    }

    @Test
    void aModelEvaluatesTheFormula() {
        Random r = new Random(4);
        float[][] x = new float[19][3];
        float[][] y = new float[19][2];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 3; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            y[i][0] = r.nextInt(4);
            y[i][1] = r.nextFloat() * 3;
        }
        Object[][] cases = {{"huber", huber(1.0)}, {new Huber(0.25), huber(0.25f)},
                {"msle", MSLE}, {"log_cosh", LOG_COSH}, {"poisson", POISSON}};
        for (Object[] c : cases) {
            // Poisson and MSLE want positive predictions: a sigmoid output.
            String activation = c[0].equals("poisson") || c[0].equals("msle") ? "sigmoid" : "linear";
            try (Model model = Sequential.of(Input(3), Dense(2, activation)).compile("sgd",
                    c[0] instanceof String name ? Losses.resolve(name) : (Loss) c[0])) {
                double expected = reference(model.predict(x), y, (DoubleBinaryOperator) c[1]);
                double loss = model.evaluate(x, y).get("loss");
                assertEquals(expected, loss, 2e-6 * Math.abs(expected), c[0].toString());
                model.fit(x, y, epochs(5), batchSize(19), verbose(0));
                assertTrue(model.evaluate(x, y).get("loss") < loss, c[0] + " trains");
            }
        }
    }

    @Test
    void namesAndDefaults() {
        assertEquals(new Huber(1.0), Losses.resolve("huber"));
        assertEquals(new Huber(), Losses.huber());
        assertEquals(new Huber(0.5), Losses.huber(0.5));
        assertEquals(new MeanSquaredLogarithmicError(), Losses.resolve("mean_squared_logarithmic_error"));
        assertEquals(new MeanSquaredLogarithmicError(), Losses.resolve("msle"));
        assertEquals(new LogCosh(), Losses.resolve("log_cosh"));
        assertEquals(new Poisson(), Losses.resolve("poisson"));
        assertEquals("mean_squared_logarithmic_error", Losses.meanSquaredLogarithmicError().name());
        assertEquals("log_cosh", Losses.logCosh().name());
        assertEquals("poisson", Losses.poisson().name());
        for (double bad : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Huber(bad));
            assertTrue(e.getMessage().startsWith("Huber delta must be positive and finite"), e.getMessage());
        }
    }

    @Test
    void huberDeltaSurvivesSaveAndLoad() throws IOException {
        Path file = dir.resolve("huber.kiln");
        try (Model model = Sequential.of(Input(3), Dense(2)).compile("adam", new Huber(0.5))) {
            model.save(file);
        }
        JsonNode loss = compileConfig(file).get("loss");
        assertEquals("Huber", loss.get("class_name").asText());
        assertEquals(0.5, loss.get("config").get("delta").asDouble());
        try (Model loaded = Model.load(file)) {
            assertEquals(new Huber(0.5), loaded.loss());
        }
        // The default δ is saved as Keras' name, as a loss given by name is.
        try (Model model = Sequential.of(Input(3), Dense(2)).compile("adam", new Huber())) {
            model.save(file);
        }
        JsonNode named = compileConfig(file).get("loss");
        assertTrue(named.isTextual(), named.toString());
        assertEquals("huber", named.asText());
        assertFalse(Losses.names().isEmpty());
    }

    private static JsonNode compileConfig(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return new ObjectMapper().readTree(zip.getInputStream(zip.getEntry("config.json")).readAllBytes())
                    .get("compile_config");
        }
    }
}
