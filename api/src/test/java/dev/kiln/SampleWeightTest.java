package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.classWeight;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.sampleWeight;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.losses.CategoricalCrossentropy;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.optimizers.SGD;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * sample_weight and class_weight in fit and evaluate. The Keras runs are the same model (weights set by
 * hand), data, batches (shuffle off) and SGD(0.1) as in Keras 3.15.1 (JAX backend), whose History and final
 * weights are hard-coded here: in Keras 3 a batch's loss is Σ w·ℓ over the batch's row count, the epoch's
 * loss the row-weighted mean of those, metrics are unweighted, validation_split slices the sample weights,
 * and class weights weight the training rows only.
 */
class SampleWeightTest {
    private static final float[][] X = new float[10][3];
    private static final int[] Y = {0, 1, 2, 1, 0, 2, 2, 1, 0, 1};
    private static final float[] W = {1f, 2f, 0f, 0.5f, 1f, 3f, 1f, 1f, 0f, 2f};
    private static final float[] K1 = {0.2f, -0.3f, 0.1f, 0.4f, -0.5f, 0.25f, 0.3f, -0.1f, 0.15f, 0.05f, -0.2f, 0.35f};
    private static final float[] B1 = {0.01f, -0.02f, 0.03f, 0f};
    private static final float[] K2 = {0.3f, -0.2f, 0.1f, 0.1f, 0.4f, -0.3f, -0.25f, 0.2f, 0.15f, 0.05f, -0.1f, 0.3f};

    static {
        for (int i = 0; i < 10; i++) {
            for (int j = 0; j < 3; j++) {
                X[i][j] = (float) ((i * 7 + j * 3) % 11 / 10.0 - 0.5);
            }
        }
    }

    private static Model model(int outputs, String activation, String loss) {
        return model(outputs, activation, Losses.resolve(loss));
    }

    private static Model model(int outputs, String activation, Loss loss) {
        Model m = Sequential.of(Input(3), Dense(4, "relu"), Dense(outputs, activation))
                .compile(new SGD(0.1), loss, "accuracy");
        float[] k2 = new float[4 * outputs];
        for (int i = 0; i < 4; i++) {
            System.arraycopy(K2, i * 3, k2, i * outputs, outputs);
        }
        m.setWeights(List.of(K1, B1, k2, new float[outputs]));
        return m;
    }

    private static void assertHistory(double[] expected, List<Double> actual) {
        assertEquals(expected.length, actual.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual.get(i), 2e-6, "epoch " + i);
        }
    }

    private static void assertWeights(double[][] expected, Model m) {
        List<float[]> actual = m.getWeights();
        for (int p = 0; p < expected.length; p++) {
            for (int i = 0; i < expected[p].length; i++) {
                assertEquals(expected[p][i], actual.get(p)[i], 1e-5, "parameter " + p + "[" + i + "]");
            }
        }
    }

    @Test
    void sampleWeightsWithAValidationSplitMatchKeras() {
        try (Model m = model(3, "softmax", "sparse_categorical_crossentropy")) {
            History h = m.fit(X, Y, sampleWeight(W), batchSize(4), epochs(3), shuffle(false), verbose(0),
                    validationSplit(0.2));
            assertHistory(new double[] {1.3199443817138672, 1.309692621231079, 1.3002126216888428},
                    h.history().get("loss"));
            assertHistory(new double[] {0.25, 0.375, 0.5}, h.history().get("accuracy"));    // unweighted, as in Keras
            assertHistory(new double[] {1.1924257278442383, 1.189974308013916, 1.1884260177612305},
                    h.history().get("val_loss"));
            assertWeights(new double[][] {
                {0.18476466834545135, -0.2656146287918091, 0.10257895290851593, 0.40267837047576904,
                    -0.5011666417121887, 0.2821200489997864, 0.30684491991996765, -0.1041388064622879,
                    0.1536085456609726, -0.002724914811551571, -0.20453095436096191, 0.34841763973236084},
                {0.02591744437813759, -0.02755126915872097, 0.04421977698802948, 0.008521422743797302},
                {0.29076021909713745, -0.20080766081809998, 0.11004741489887238, 0.09727911651134491,
                    0.39614951610565186, -0.2934286594390869, -0.2538582682609558, 0.22985701262950897,
                    0.12400122731924057, 0.042760755866765976, -0.09772184491157532, 0.30496108531951904},
                {-0.07633732259273529, 0.013954853639006615, 0.062382474541664124}}, m);
            Map<String, Double> logs = m.evaluate(X, Y, W);
            assertEquals(1.2604076862335205, logs.get("loss"), 2e-6);
            assertEquals(0.5, logs.get("accuracy"), 1e-12);
        }
    }

    @Test
    void classWeightsMatchKerasAndLeaveTheValidationRowsUnweighted() {
        try (Model m = model(3, "softmax", "sparse_categorical_crossentropy")) {
            History h = m.fit(X, Y, classWeight(Map.of(0, 0.5, 2, 3.0)), batchSize(4), epochs(3), shuffle(false),
                    verbose(0), validationSplit(0.2));
            assertHistory(new double[] {1.771141767501831, 1.6545453071594238, 1.5656630992889404},
                    h.history().get("loss"));
            assertHistory(new double[] {1.210566520690918, 1.275937795639038, 1.340488076210022},
                    h.history().get("val_loss"));
            assertWeights(new double[][] {
                {0.1879759579896927, -0.2706025540828705, 0.1011495515704155, 0.3864067792892456,
                    -0.49812597036361694, 0.2556252181529999, 0.3046436309814453, -0.10880925506353378,
                    0.15015479922294617, 0.0035918327048420906, -0.2046738564968109, 0.37909168004989624},
                {0.004269214812666178, -0.09924077987670898, 0.041646797209978104, 0.1263365000486374},
                {0.27602604031562805, -0.2037259042263031, 0.12769988179206848, 0.0961342304944992,
                    0.395463764667511, -0.29159802198410034, -0.2536313533782959, 0.22150278091430664,
                    0.1321285516023636, 0.01937517523765564, -0.10926736891269684, 0.3398922383785248},
                {-0.21870535612106323, -0.08116346597671509, 0.2998688220977783}}, m);
        }
    }

    /** One sigmoid unit: binary cross-entropy fused with the sigmoid, the class read from the 0/1 target. */
    @Test
    void classWeightsOnABinaryOutputMatchKeras() {
        int[] positive = new int[10];
        for (int i = 0; i < 10; i++) {
            positive[i] = Y[i] == 1 ? 1 : 0;
        }
        try (Model m = model(1, "sigmoid", "binary_crossentropy")) {
            History h = m.fit(X, positive, classWeight(Map.of(1, 4.0)), batchSize(3), epochs(2), shuffle(false),
                    verbose(0));
            assertHistory(new double[] {1.4887614250183105, 1.376490592956543}, h.history().get("loss"));
            assertWeights(new double[][] {
                {0.2619558572769165, -0.2928537130355835, 0.09471752494573593, 0.41011843085289,
                    -0.5593631267547607, 0.2591954469680786, 0.2796264588832855, -0.11330411583185196,
                    0.12013237178325653, 0.03813191130757332, -0.18013067543506622, 0.34451138973236084},
                {0.10831807553768158, -0.013169548474252224, -0.02030360698699951, 0.026051605120301247},
                {0.42604681849479675, 0.09501203149557114, -0.20297972857952118, 0.10494039952754974},
                {0.4815829396247864}}, m);
        }
    }

    /** Softmax fused with a label-smoothed categorical cross-entropy; weighted validation_data (x, y, w). */
    @Test
    void smoothedCrossEntropyWithWeightedValidationDataMatchesKeras() {
        float[][] oneHot = new float[10][3];
        for (int i = 0; i < 10; i++) {
            oneHot[i][Y[i]] = 1f;
        }
        float[][] valX = Arrays.copyOf(X, 5);
        float[][] valY = Arrays.copyOf(oneHot, 5);
        float[] valW = Arrays.copyOf(W, 5);
        try (Model m = model(3, "softmax", new CategoricalCrossentropy(false, 0.1))) {
            History h = m.fit(X, oneHot, sampleWeight(W), batchSize(4), epochs(2), shuffle(false), verbose(0),
                    validationData(valX, valY, valW));
            assertHistory(new double[] {1.2906635999679565, 1.268991231918335}, h.history().get("loss"));
            assertHistory(new double[] {0.9808881878852844, 0.9738777279853821}, h.history().get("val_loss"));
            assertWeights(new double[][] {
                {0.17790184915065765, -0.27893054485321045, 0.10140523314476013, 0.39166370034217834,
                    -0.47699838876724243, 0.26888155937194824, 0.30363065004348755, -0.08581145107746124,
                    0.16044843196868896, 0.018352610990405083, -0.20230378210544586, 0.3557417094707489},
                {-0.031843945384025574, -0.027293002232909203, 0.037418022751808167, -0.02815607748925686},
                {0.27792760729789734, -0.16619063913822174, 0.08826302736997604, 0.09844572097063065,
                    0.396660178899765, -0.295105904340744, -0.25214284658432007, 0.21710503101348877,
                    0.13503782451152802, 0.04028794541954994, -0.08720526844263077, 0.2969173192977905},
                {-0.10520479083061218, 0.12656882405281067, -0.021364018321037292}}, m);
        }
    }

    @Test
    void classWeightsTrainExactlyAsTheEquivalentSampleWeights() {
        Map<Integer, Double> perClass = Map.of(0, 0.25, 1, 2.0, 2, 1.5);
        float[] perRow = new float[Y.length];
        for (int i = 0; i < Y.length; i++) {
            perRow[i] = perClass.get(Y[i]).floatValue();
        }
        try (Model a = model(3, "softmax", "sparse_categorical_crossentropy");
                Model b = model(3, "softmax", "sparse_categorical_crossentropy")) {
            History ha = a.fit(X, Y, classWeight(perClass), batchSize(3), epochs(2), shuffle(false), verbose(0));
            History hb = b.fit(X, Y, sampleWeight(perRow), batchSize(3), epochs(2), shuffle(false), verbose(0));
            assertEquals(ha.history().get("loss"), hb.history().get("loss"));
            for (int p = 0; p < 4; p++) {
                assertArrayEquals(a.getWeights().get(p), b.getWeights().get(p));
            }
        }
    }

    /** Weights of 1 change nothing: the weighted path gives the unweighted run's numbers bit for bit. */
    @Test
    void unitWeightsTrainExactlyAsNoWeights() {
        float[] ones = new float[Y.length];
        Arrays.fill(ones, 1f);
        try (Model a = model(3, "softmax", "sparse_categorical_crossentropy");
                Model b = model(3, "softmax", "sparse_categorical_crossentropy")) {
            History ha = a.fit(X, Y, batchSize(4), epochs(2), shuffle(false), verbose(0),
                    validationSplit(0.2));
            History hb = b.fit(X, Y, sampleWeight(ones), batchSize(4), epochs(2), shuffle(false), verbose(0),
                    validationSplit(0.2));
            assertEquals(ha.history(), hb.history());
            for (int p = 0; p < 4; p++) {
                assertArrayEquals(a.getWeights().get(p), b.getWeights().get(p));
            }
            assertEquals(a.evaluate(X, Y), b.evaluate(X, Y, ones));
        }
    }

    /** A row of weight 0 may hold any label: the training it gives is the same. */
    @Test
    void rowsOfWeightZeroDoNotInfluenceTraining() {
        int[] otherLabels = Y.clone();
        otherLabels[2] = 0;
        otherLabels[8] = 2;
        try (Model a = model(3, "softmax", "sparse_categorical_crossentropy");
                Model b = model(3, "softmax", "sparse_categorical_crossentropy")) {
            a.fit(X, Y, sampleWeight(W), batchSize(4), epochs(3), shuffle(false), verbose(0));
            b.fit(X, otherLabels, sampleWeight(W), batchSize(4), epochs(3), shuffle(false), verbose(0));
            for (int p = 0; p < 4; p++) {
                assertArrayEquals(a.getWeights().get(p), b.getWeights().get(p));
            }
            assertEquals(a.evaluate(X, Y, W).get("loss"), b.evaluate(X, otherLabels, W).get("loss"));
        }
    }

    @Test
    void badWeightsAreRefusedWithTheValueNamedAndTheModelUnchanged() {
        try (Model m = model(3, "softmax", "sparse_categorical_crossentropy")) {
            List<float[]> before = m.getWeights();
            assertMessage("sampleWeight has 3 weights but there are 10 rows",
                    () -> m.fit(X, Y, sampleWeight(new float[3]), verbose(0)));
            assertMessage("sampleWeight[1] is -1.0", () -> sampleWeight(new float[] {1f, -1f}));
            assertMessage("sampleWeight[0] is NaN", () -> sampleWeight(new float[] {Float.NaN}));
            assertMessage("sampleWeight[0] is Infinity", () -> sampleWeight(new float[] {Float.POSITIVE_INFINITY}));
            assertMessage("sampleWeight must not be null", () -> sampleWeight(null));
            assertMessage("cannot be given together",
                    () -> m.fit(X, Y, sampleWeight(W), classWeight(Map.of(0, 2.0)), verbose(0)));
            assertMessage("classWeight has class 3 but the model's classes are 0 to 2",
                    () -> m.fit(X, Y, classWeight(Map.of(3, 2.0)), verbose(0)));
            assertMessage("classWeight has class -1", () -> classWeight(Map.of(-1, 2.0)));
            assertMessage("classWeight of class 1 is -0.5", () -> classWeight(Map.of(1, -0.5)));
            Map<Integer, Double> nullWeight = new HashMap<>();
            nullWeight.put(1, null);
            assertMessage("classWeight of class 1 is null", () -> classWeight(nullWeight));
            assertMessage("validation sampleWeight has 2 weights but there are 5 rows",
                    () -> m.fit(X, Y, verbose(0), validationData(Arrays.copyOf(X, 5),
                            Arrays.copyOf(Y, 5), new float[2])));
            assertMessage("sampleWeight has 4 weights but there are 10 rows", () -> m.evaluate(X, Y, new float[4]));
            assertMessage("sampleWeight[0] is -2.0", () -> m.evaluate(X, Y, new float[] {-2f, 1, 1, 1, 1, 1, 1, 1,
                1, 1}));
            List<float[]> after = m.getWeights();
            for (int p = 0; p < before.size(); p++) {
                assertArrayEquals(before.get(p), after.get(p));
            }
        }
    }

    /** A single output reads its classes as 0 and 1, so class 2 is out of range there. */
    @Test
    void aSingleOutputHasClassesZeroAndOne() {
        try (Model m = model(1, "sigmoid", "binary_crossentropy")) {
            assertMessage("classWeight has class 2 but the model's classes are 0 to 1 (1 output",
                    () -> m.fit(X, new int[10], classWeight(Map.of(2, 1.0)), verbose(0)));
        }
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
