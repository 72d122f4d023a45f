package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Add;
import static dev.kiln.Layers.Concatenate;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static dev.kiln.Layers.Multiply;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.Dataset;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.SymbolicTensor;
import dev.kiln.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Functional models against Keras 3.15.1 on JAX: a residual block and a two-input model with a
 * concatenation and a multiplicative gate, given the same weights, predict what Keras predicted and,
 * after one SGD step on the same batch, land where Keras landed. The numbers come from
 * {@code tools/keras-fixtures/functional_reference.py}.
 */
class FunctionalModelTest {
    static final float[][] RESIDUAL_BEFORE = {
            {0.780851423740387f, 0.0388815775513649f, 0.18026702105998993f},
            {0.7159181833267212f, 0.06403433531522751f, 0.2200474888086319f},
            {0.8507110476493835f, 0.018449896946549416f, 0.13083910942077637f},
            {0.9040479063987732f, 0.0077288453467190266f, 0.08822323381900787f},
            {0.4651581346988678f, 0.21547703444957733f, 0.3193648159503937f}};
    static final double RESIDUAL_LOSS = 2.276430606842041;
    static final float[][] RESIDUAL_AFTER = {
            {0.728793203830719f, 0.05944979935884476f, 0.21175703406333923f},
            {0.6358640789985657f, 0.09941865503787994f, 0.2647172510623932f},
            {0.7375133037567139f, 0.055185142904520035f, 0.2073015570640564f},
            {0.7646587491035461f, 0.04223599657416344f, 0.19310516119003296f},
            {0.43929675221443176f, 0.23297369480133057f, 0.32772955298423767f}};
    static final float[][] TWO_BEFORE = {
            {-0.14885881543159485f, -0.14559248089790344f},
            {-0.3061690926551819f, 0.37009942531585693f},
            {-0.4152519106864929f, 0.048193998634815216f},
            {-0.34864354133605957f, 0.33527296781539917f},
            {-0.3694798946380615f, -0.0829639583826065f},
            {-0.2527482211589813f, 0.18636497855186462f}};
    static final double TWO_LOSS = 1.5755199193954468;
    static final float[][] TWO_AFTER = {
            {-0.11293034255504608f, -0.16392478346824646f},
            {-0.17698615789413452f, 0.3074294328689575f},
            {-0.34782519936561584f, 0.011765200644731522f},
            {-0.22408506274223328f, 0.28878557682037354f},
            {-0.32529014348983765f, -0.11122103035449982f},
            {-0.1524098664522171f, 0.14705730974674225f}};

    /** The reference script's weights: a fixed integer pattern per layer role, scaled to [-0.5, 0.5]. */
    static float[] weights(int role, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) ((((role * 7919L + i * 104729L) % 2001) - 1000) / 1000.0 * 0.5);
        }
        return v;
    }

    static float[][] rows(int rows, int cols, int salt) {
        float[][] x = new float[rows][cols];
        for (int i = 0; i < rows * cols; i++) {
            x[i / cols][i % cols] = (float) ((((i * 37L + salt * 101L) % 97) - 48) / 24.0);
        }
        return x;
    }

    /** Kernel then bias of each dense layer, in the order the model lists its weights, by role. */
    static List<float[]> weightsFor(Model model, int... roles) {
        List<float[]> current = model.getWeights();
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < roles.length; i++) {
            out.add(weights(roles[i], current.get(2 * i).length));
            out.add(weights(roles[i] + 50, current.get(2 * i + 1).length));
        }
        return out;
    }

    static void assertClose(float[][] expected, float[][] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        for (int r = 0; r < expected.length; r++) {
            for (int j = 0; j < expected[r].length; j++) {
                assertEquals(expected[r][j], actual[r][j], tolerance, "row " + r + " column " + j);
            }
        }
    }

    static Model residual() {
        InputLayer in = Input(6);
        SymbolicTensor h = Dense(8, "relu").apply(in);
        SymbolicTensor r = Dense(8, "tanh").apply(h);
        SymbolicTensor out = Dense(3, "softmax").apply(Add().apply(h, r));
        return Model.of(in, out).compile(new SGD(0.1), "sparse_categorical_crossentropy");
    }

    static Model twoInputs() {
        InputLayer a = Input(4);
        InputLayer b = Input(3);
        SymbolicTensor c = Concatenate().apply(Dense(5, "relu").apply(a), Dense(2).apply(b));
        SymbolicTensor gated = Multiply().apply(Dense(4, "sigmoid").apply(c), Dense(4).apply(c));
        return Model.of(List.of(a, b), Dense(2).apply(gated)).compile(new SGD(0.1), "mse");
    }

    @Test
    void aResidualBlockPredictsAndTrainsAsKeras() {
        try (Model model = residual()) {
            model.setWeights(weightsFor(model, 1, 2, 3));
            float[][] x = rows(5, 6, 1);
            assertClose(RESIDUAL_BEFORE, model.predict(x), 1e-6);
            History h = model.fit(x, new int[] {0, 2, 1, 1, 0}, epochs(1), batchSize(5), shuffle(false), verbose(0));
            assertEquals(RESIDUAL_LOSS, h.history().get("loss").get(0), 1e-5);
            assertClose(RESIDUAL_AFTER, model.predict(x), 1e-5);
        }
    }

    @Test
    void aTwoInputModelPredictsAndTrainsAsKeras() {
        try (Model model = twoInputs()) {
            model.setWeights(weightsFor(model, 11, 12, 13, 14, 15));
            List<float[][]> x = List.of(rows(6, 4, 2), rows(6, 3, 3));
            assertClose(TWO_BEFORE, model.predict(x), 1e-6);
            History h = model.fit(x, rows(6, 2, 4), epochs(1), batchSize(6), shuffle(false), verbose(0));
            assertEquals(TWO_LOSS, h.history().get("loss").get(0), 1e-5);
            assertClose(TWO_AFTER, model.predict(x), 1e-5);
            Map<String, Double> scores = model.evaluate(x, rows(6, 2, 4));
            assertTrue(scores.get("loss") < TWO_LOSS, "one step lowered the loss: " + scores);
        }
    }

    @Test
    void aTwoInputModelTakesValidationDataAndSplits() {
        try (Model model = twoInputs()) {
            List<float[][]> x = List.of(rows(40, 4, 5), rows(40, 3, 6));
            float[][] y = rows(40, 2, 7);
            History split = model.fit(x, y, epochs(2), batchSize(8), validationSplit(0.25), verbose(0));
            assertEquals(2, split.history().get("val_loss").size());
            History given = model.fit(x, y, epochs(1), batchSize(8), verbose(0),
                    validationData(List.of(rows(5, 4, 8), rows(5, 3, 9)), rows(5, 2, 1)));
            assertEquals(1, given.history().get("val_loss").size());
        }
    }

    /**
     * Keras 3.15.1 lists this model's layers as input_layer, dense, dense_1, b_in, add, late, concatenate,
     * dense_2 (names given at creation) and keys their weights in its files by class and that place:
     * input_layer, dense, dense_1, input_layer_1, add, dense_2, concatenate, dense_3.
     */
    @Test
    void layersComeInKerasOrder() {
        InputLayer b = Input(3);
        InputLayer a = Input(4);
        Layer late = Dense(2);
        SymbolicTensor h = Dense(5, "relu").apply(a);
        SymbolicTensor sum = Add().apply(h, Dense(5).apply(h));
        SymbolicTensor out = Dense(2).apply(Concatenate().apply(sum, late.apply(b)));
        try (Model model = Model.of(List.of(a, b), out).compile("adam", "mse")) {
            assertEquals(List.of("input_layer", "dense", "dense_1", "input_layer_1", "add", "dense_2", "concatenate",
                    "dense_3"), model.layerNames());
            assertTrue(model.layerSpecs().get(5) == late);
        }
    }

    @Test
    void wrongDataNamesTheInput() {
        try (Model model = twoInputs()) {
            var e = assertThrows(IllegalArgumentException.class, () -> model.predict(rows(3, 4, 1)));
            assertEquals("the model has 2 inputs but x is one array: pass a List of 2 arrays, one per Input in the order"
                    + " the model lists its inputs", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.predict(List.of(rows(3, 4, 1), rows(3, 4, 1))));
            assertEquals("x input 1 rows have 4 values but the model's input 1 ('input_layer_1') takes 3 (shape [3])",
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.predict(List.of(rows(3, 4, 1), rows(2, 3, 1))));
            assertEquals("x input 1 has 2 rows but input 0 has 3: every input needs one row per example", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.predict(Dataset.of(rows(3, 4, 1))));
            assertEquals("the model has 2 inputs but dataset gives one array per row: pass a List of 2 arrays to fit,"
                    + " evaluate or predict (a Dataset of several inputs is not supported yet)", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.trainOnBatch(rows(3, 4, 1), rows(3, 2, 1)));
            assertEquals("the model has 2 inputs but x is one array: pass a List of 2 arrays, one per Input in the order"
                    + " the model lists its inputs", e.getMessage());
        }
        try (Model model = residual()) {
            var e = assertThrows(IllegalArgumentException.class, () -> model.predict(List.of(rows(3, 6, 1), rows(3, 6, 1))));
            assertEquals("x is a List of 2 arrays but the model has one input: pass one float[][] or Tensor", e.getMessage());
            assertEquals(3, model.predict(List.<float[][]>of(rows(3, 6, 1))).length, "a List of one array is that array");
            e = assertThrows(IllegalArgumentException.class, () -> model.predict(List.of(rows(3, 6, 1))));
            assertEquals("x is a List of float[] rows, not of arrays: List.of(x) with one float[][] lists its rows; pass x"
                    + " itself, or List.<float[][]>of(x)", e.getMessage());
        }
    }

    @Test
    void graphsKerasRefusesAreRefused() {
        InputLayer in = Input(4);
        InputLayer other = Input(4);
        SymbolicTensor both = Add().apply(Dense(4).apply(in), Dense(4).apply(other));
        var e = assertThrows(IllegalArgumentException.class, () -> Model.of(in, both));
        assertTrue(e.getMessage().startsWith("the output depends on an Input that is not among the model's inputs"),
                e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Model.of(List.of(in, other), Dense(2).apply(in)));
        assertEquals("input 1 ([4]) is not used to compute the output: remove it from the model's inputs", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Model.of(in, in));
        assertEquals("the model's output is one of its inputs: apply at least one layer", e.getMessage());

        SymbolicTensor mismatched = Add().apply(Dense(4).apply(in), Dense(3).apply(in));
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(in, mismatched).compile("sgd", "mse"));
        assertEquals("Add layer 'add' add needs inputs of one shape, but input 0 has examples of shape [4] and input 1"
                + " of shape [3]", e.getMessage());

        e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(Input(4), Dense(4), Add()).compile("sgd", "mse"));
        assertEquals("Add layer 'add' merges two or more inputs but gets one: apply it to the tensors it merges in a"
                + " functional model, e.g. Add().apply(a, b)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(in, Add().apply(in)).compile("sgd", "mse"));
        assertEquals("Add layer 'add' merges two or more inputs but gets one: apply it to the tensors it merges in a"
                + " functional model, e.g. Add().apply(a, b)", e.getMessage());
    }

    @Test
    void theSummaryListsInputsAndConnections() {
        try (Model model = twoInputs()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            model.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String summary = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(summary.startsWith("Model: \"functional\""), summary);
            assertTrue(summary.contains("concatenate (Concatenate)"), summary);
            assertTrue(summary.contains("dense[0][0], dense_1[0][0]"), summary);
            assertTrue(summary.contains("input_layer_1 (InputLayer)"), summary);
        }
    }
}
