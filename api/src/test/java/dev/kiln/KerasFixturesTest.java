package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.memory.Tensor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files written by Keras 3 itself (tools/keras-fixtures/make_fixtures.py, committed with Keras' own
 * predictions): each loads, predicts what Keras predicted, takes the training step Keras took after
 * saving and lands where Keras landed (so the optimizer state came through), and saves back into a
 * .keras file that loads again to the same predictions.
 */
class KerasFixturesTest {
    /** The bound on a loaded model's predictions, per output. */
    private static final double PREDICTION_TOLERANCE = 1e-5;
    /** One more training step in two engines: float32 sums in another order, then one update. */
    private static final double NEXT_STEP_TOLERANCE = 1e-4;

    @TempDir
    Path dir;

    static Path fixtures() throws URISyntaxException {
        return Path.of(KerasFixturesTest.class.getResource("/dev/kiln/keras/manifest.json").toURI()).getParent();
    }

    static Stream<String> names() throws IOException, URISyntaxException {
        JsonNode manifest = new ObjectMapper().readTree(fixtures().resolve("manifest.json").toFile());
        List<String> names = new ArrayList<>();
        manifest.get("fixtures").forEach(f -> names.add(f.get("name").asText()));
        return names.stream();
    }

    @ParameterizedTest
    @MethodSource("names")
    void predictsAsKerasDid(String name) throws Exception {
        Path base = fixtures();
        float[][] x = Tensor.fromNpy(base.resolve(name + ".x.npy")).toRows();
        float[][] expected = Tensor.fromNpy(base.resolve(name + ".pred.npy")).toRows();
        try (Model model = Model.load(base.resolve(name + ".keras"))) {
            assertClose(expected, model.predict(x), PREDICTION_TOLERANCE, name + " predict");
            Path back = dir.resolve(name + ".keras");
            model.save(back);
            try (Model again = Model.load(back)) {
                assertClose(model.predict(x), again.predict(x), 0, name + " saved by Kiln and loaded again");
                assertEquals(model.iterations(), again.iterations());
                assertEquals(model.learningRate(), again.learningRate());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void trainsOnFromWhereKerasStopped(String name) throws Exception {
        Path base = fixtures();
        Path next = base.resolve(name + ".next_pred.npy");
        if (!Files.exists(next)) {
            return; // Dropout: Keras' masks cannot be drawn again
        }
        float[][] x = Tensor.fromNpy(base.resolve(name + ".x.npy")).toRows();
        float[][] trainX = Tensor.fromNpy(base.resolve(name + ".train_x.npy")).toRows();
        Tensor trainY = Tensor.fromNpy(base.resolve(name + ".train_y.npy"));
        try (Model model = Model.load(base.resolve(name + ".keras"))) {
            long steps = model.iterations();
            assertTrue(steps > 0, name + ": Keras trained before saving, so the step count must come through");
            FitOption[] options = {epochs(1), batchSize(trainX.length), shuffle(false), verbose(0)};
            if (trainY.rank() == 1) {
                model.fit(trainX, labels(trainY), options);
            } else {
                model.fit(trainX, trainY.toRows(), options);
            }
            assertEquals(steps + 1, model.iterations());
            assertClose(Tensor.fromNpy(next).toRows(), model.predict(x), NEXT_STEP_TOLERANCE, name + " after a step");
        }
    }

    @ParameterizedTest
    @MethodSource("names")
    void readsKerasWeightsFiles(String name) throws Exception {
        Path base = fixtures();
        Path weights = base.resolve(name + ".weights.h5");
        if (!Files.exists(weights)) {
            return; // made for a few fixtures only
        }
        float[][] x = Tensor.fromNpy(base.resolve(name + ".x.npy")).toRows();
        try (Model model = Model.load(base.resolve(name + ".keras"))) {
            List<float[]> zeros = new ArrayList<>();
            for (float[] w : model.getWeights()) {
                zeros.add(new float[w.length]);
            }
            model.setWeights(zeros);
            model.loadWeights(weights);
            assertClose(Tensor.fromNpy(base.resolve(name + ".pred.npy")).toRows(), model.predict(x),
                    PREDICTION_TOLERANCE, name + " weights file");
            Path back = dir.resolve(name + ".weights.h5");
            model.saveWeights(back);
            model.setWeights(zeros);
            model.loadWeights(back);
            assertClose(Tensor.fromNpy(base.resolve(name + ".pred.npy")).toRows(), model.predict(x),
                    PREDICTION_TOLERANCE, name + " weights file saved by Kiln");
        }
    }

    private static int[] labels(Tensor y) {
        float[] values = y.toArray();
        int[] labels = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            labels[i] = (int) values[i];
        }
        return labels;
    }

    static void assertClose(float[][] expected, float[][] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": rows");
        double largest = 0;
        for (int r = 0; r < expected.length; r++) {
            assertEquals(expected[r].length, actual[r].length, what + ": width");
            for (int c = 0; c < expected[r].length; c++) {
                double diff = Math.abs(expected[r][c] - actual[r][c]);
                largest = Math.max(largest, diff);
                assertTrue(diff <= tolerance, what + ": row " + r + " output " + c + " is " + actual[r][c]
                        + ", expected " + expected[r][c] + " (off by " + diff + ", tolerance " + tolerance + ")");
            }
        }
        System.out.println(what + ": largest difference " + largest);
    }
}
