package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.losses.CategoricalHinge;
import dev.kiln.losses.Hinge;
import dev.kiln.losses.KLDivergence;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.losses.SquaredHinge;
import dev.kiln.optimizers.SGD;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hinge, squared hinge, categorical hinge and KL divergence: the numbers Keras 3.15.1 (JAX backend)
 * printed for hand-made rows and for two epochs of SGD on a small model, the names, and save and load
 * through .kiln and .keras files.
 */
class MarginAndDivergenceLossesTest {
    private static final float[][] X = new float[10][3];
    private static final int[] Y = {0, 1, 2, 1, 0, 2, 2, 1, 0, 1};
    private static final float[] KERNEL = {0.3f, -0.2f, 0.1f, 0.1f, 0.4f, -0.3f, -0.25f, 0.2f, 0.15f};

    static {
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 3; j++) {
                X[i][j] = (float) ((i * 7 + j * 3) % 11 / 10.0 - 0.5);
            }
        }
    }

    @TempDir
    Path dir;

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

    @Test
    void valuesAreKeras() {
        // keras.losses.Hinge()(y_true, y_pred) and so on, on these rows as float32 arrays.
        float[][] pred = {{0.3f, -0.4f, 1.5f}, {0.8f, 0.6f, -2.0f}};
        float[][] zeroOne = {{0f, 1f, 1f}, {1f, 0f, 0f}};
        float[][] plusMinus = {{-1f, 1f, 1f}, {1f, -1f, -1f}};
        // 0/1 targets are read as ±1: both give Keras' 0.75, and 1.0416666 squared.
        assertEquals(0.75, engine(new Hinge(), pred, zeroOne), 1e-7);
        assertEquals(0.75, engine(new Hinge(), pred, plusMinus), 1e-7);
        assertEquals(1.0416666269302368, engine(new SquaredHinge(), pred, zeroOne), 2e-7);
        assertEquals(1.0416666269302368, engine(new SquaredHinge(), pred, plusMinus), 2e-7);
        float[][] oneHot = {{0f, 1f, 0f}, {0f, 0f, 1f}};
        float[][] scores = {{0.2f, 0.5f, 0.3f}, {0.6f, 0.3f, 0.1f}};
        // Row 1: 0.3 − 0.5 + 1 = 0.8; row 2: 0.6 − 0.1 + 1 = 1.5; mean 1.15.
        assertEquals(1.149999976158142, engine(new CategoricalHinge(), scores, oneHot), 1e-7);
        // A prediction of 0 and a target of 0 are both clipped to 1e-7.
        float[][] truth = {{0.2f, 0.8f, 0f}, {0.5f, 0.25f, 0.25f}};
        float[][] guess = {{0.1f, 0.6f, 0.3f}, {0.7f, 0f, 0.3f}};
        assertEquals(1.9189536571502686, engine(new KLDivergence(), guess, truth), 2e-6);
    }

    /** Two epochs of SGD(0.1), batches of 4, unshuffled, from the same weights: Keras' History and weights. */
    @Test
    void trainingMatchesKeras() {
        float[][] oneHot = new float[10][3];
        float[][] soft = new float[10][3];
        float[][] plusMinus = new float[10][3];
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 3; j++) {
                oneHot[i][j] = Y[i] == j ? 1f : 0f;
                soft[i][j] = oneHot[i][j] * 0.7f + 0.1f;
                plusMinus[i][j] = Y[i] == j ? 1f : -1f;
            }
        }
        assertTrains("categorical_hinge", "linear", oneHot, new double[] {1.1683499813079834, 1.1435749530792236},
                new double[] {0.19749999046325684, -0.09000001102685928, 0.0925000011920929, 0.08750000596046448,
                    0.35999998450279236, -0.2475000023841858, -0.19999998807907104, 0.11999999731779099,
                    0.18000000715255737},
                new double[] {0.02500000037252903, 0.05000000074505806, -0.07500000298023224});
        assertTrains("kl_divergence", "softmax", soft, new double[] {0.49897852540016174, 0.4917648434638977},
                new double[] {0.25080496072769165, -0.14604966342449188, 0.09524470567703247, 0.10808271169662476,
                    0.38471484184265137, -0.2927975654602051, -0.23425421118736267, 0.16034995019435883,
                    0.17390425503253937},
                new double[] {-0.0002290841075591743, 0.03713852912187576, -0.03690945729613304});
        assertTrains("squared_hinge", "linear", plusMinus, new double[] {1.065315842628479, 1.0065984725952148},
                new double[] {0.2039368748664856, -0.09862492978572845, 0.08985736221075058, 0.11982984095811844,
                    0.3741779029369354, -0.27993178367614746, -0.214147686958313, 0.13092736899852753,
                    0.19952289760112762},
                new double[] {-0.10972028225660324, -0.04405716061592102, -0.17875945568084717});
        assertTrains("hinge", "linear", oneHot, new double[] {1.0240528583526611, 1.0076000690460205},
                new double[] {0.2600000500679016, -0.15666665136814117, 0.09666667133569717, 0.1133333370089531,
                    0.39666667580604553, -0.29666668176651, -0.2383333444595337, 0.16833336651325226,
                    0.1783333420753479},
                new double[] {-0.06666667014360428, -0.03333333134651184, -0.10000000149011612});
    }

    private static void assertTrains(String loss, String activation, float[][] y, double[] history, double[] kernel,
            double[] bias) {
        try (Model m = Sequential.of(Input(3), Dense(3, activation)).compile(new SGD(0.1), loss)) {
            m.setWeights(List.of(KERNEL, new float[3]));
            List<Double> losses = m.fit(X, y, batchSize(4), epochs(2), shuffle(false), verbose(0)).history()
                    .get("loss");
            for (int e = 0; e < history.length; e++) {
                assertEquals(history[e], losses.get(e), 2e-6, loss + " epoch " + e);
            }
            for (int k = 0; k < kernel.length; k++) {
                assertEquals(kernel[k], m.getWeights().get(0)[k], 1e-6, loss + " kernel " + k);
            }
            for (int k = 0; k < bias.length; k++) {
                assertEquals(bias[k], m.getWeights().get(1)[k], 1e-6, loss + " bias " + k);
            }
        }
    }

    @Test
    void namesAndFactories() {
        assertEquals(new Hinge(), Losses.resolve("hinge"));
        assertEquals(new SquaredHinge(), Losses.resolve("squared_hinge"));
        assertEquals(new CategoricalHinge(), Losses.resolve("categorical_hinge"));
        assertEquals(new KLDivergence(), Losses.resolve("kl_divergence"));
        assertEquals(new KLDivergence(), Losses.resolve("kld"));
        assertEquals("hinge", Losses.hinge().name());
        assertEquals("squared_hinge", Losses.squaredHinge().name());
        assertEquals("categorical_hinge", Losses.categoricalHinge().name());
        assertEquals("kl_divergence", Losses.klDivergence().name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(3), Dense(1)).compile("sgd", "categorical_hinge"));
        assertTrue(e.getMessage().contains("'categorical_hinge' needs at least 2 outputs"), e.getMessage());
    }

    @Test
    void eachSurvivesSaveAndLoadInBothFormats() throws IOException {
        for (String name : new String[] {"hinge", "squared_hinge", "categorical_hinge", "kl_divergence", "kld"}) {
            for (String file : new String[] {"m.kiln", "m.keras"}) {
                Path path = dir.resolve(file);
                try (Model model = Sequential.of(Input(3), Dense(2, "softmax")).compile("adam", name)) {
                    model.save(path);
                }
                try (Model loaded = Model.load(path)) {
                    assertEquals(Losses.resolve(name), loaded.loss(), name + " in " + file);
                }
            }
            Path object = dir.resolve("object.keras");
            try (Model model = Sequential.of(Input(3), Dense(2, "softmax")).compile("adam", Losses.resolve(name))) {
                model.save(object);
            }
            JsonNode saved = compileConfig(object).get("loss");
            assertTrue(saved.isTextual(), saved.toString());   // a loss equal to its name's is saved as the name
            try (Model loaded = Model.load(object)) {
                assertEquals(Losses.resolve(name), loaded.loss());
            }
        }
    }

    private static JsonNode compileConfig(Path file) throws IOException {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            return new ObjectMapper().readTree(zip.getInputStream(zip.getEntry("config.json")).readAllBytes())
                    .get("compile_config");
        }
    }
}
