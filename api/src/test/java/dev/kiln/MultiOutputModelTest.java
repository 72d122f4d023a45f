package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.sampleWeight;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.FunctionalModelTest.assertClose;
import static dev.kiln.FunctionalModelTest.rows;
import static dev.kiln.FunctionalModelTest.weightsFor;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.layers.InputLayer;
import dev.kiln.layers.SymbolicTensor;
import dev.kiln.optimizers.SGD;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Functional models with several outputs against Keras 3.15.1 on JAX: a class head and a code head
 * that also feeds a value head, compiled with a loss per output, loss weights [0.7, 1.5, 0.5] and
 * metrics [[accuracy], [], [mae]]. Given the same weights they predict what Keras predicted, one SGD
 * step gives Keras' History (its keys and values) and lands on Keras' predictions, and evaluate returns
 * Keras' dict. Numbers from tools/keras-fixtures/functional_reference.py (the MULTI_ lines).
 */
class MultiOutputModelTest {
    private static final float[][] CLS_BEFORE = {
            {0.38789641857147217f, 0.43093380331993103f, 0.18116985261440277f},
            {0.44570133090019226f, 0.4144969582557678f, 0.1398017257452011f},
            {0.3839806616306305f, 0.4311809539794922f, 0.1848384439945221f},
            {0.4341011941432953f, 0.41875460743904114f, 0.1471441686153412f},
            {0.3325742483139038f, 0.44160497188568115f, 0.22582074999809265f},
            {0.3982827067375183f, 0.4310435652732849f, 0.17067374289035797f},
            {0.35222604870796204f, 0.43707138299942017f, 0.2107025384902954f}
    };
    private static final float[][] VALUE_BEFORE = {
            {-0.23509937524795532f, 0.35559213161468506f},
            {-0.007679179310798645f, 0.2132316529750824f},
            {-0.28426629304885864f, 0.39505821466445923f},
            {-0.03452030196785927f, 0.22616514563560486f},
            {-0.30162400007247925f, 0.3712146282196045f},
            {-0.11556422710418701f, 0.26882871985435486f},
            {-0.36066776514053345f, 0.43988484144210815f}
    };
    private static final float[][] CLS_AFTER = {
            {0.3847712576389313f, 0.42809805274009705f, 0.18713071942329407f},
            {0.4366305470466614f, 0.4118327796459198f, 0.15153664350509644f},
            {0.3827229142189026f, 0.42865872383117676f, 0.18861834704875946f},
            {0.43207961320877075f, 0.40978872776031494f, 0.15813162922859192f},
            {0.35394442081451416f, 0.41505712270736694f, 0.2309984266757965f},
            {0.4129205048084259f, 0.3973480761051178f, 0.18973146378993988f},
            {0.3531944155693054f, 0.42697057127952576f, 0.2198350429534912f}
    };
    private static final float[][] CODE_AFTER = {
            {0.024071287363767624f, 0.29894307255744934f, -0.2300255298614502f, -0.06720609217882156f},
            {-0.01982247829437256f, -0.16584092378616333f, 0.11575393378734589f, -0.21920467913150787f},
            {0.017747675999999046f, 0.3809398114681244f, -0.28270432353019714f, -0.05908321589231491f},
            {-0.040542930364608765f, -0.13085931539535522f, 0.08532608300447464f, -0.22740840911865234f},
            {-0.06380976736545563f, 0.39396071434020996f, -0.3406483232975006f, -0.09998506307601929f},
            {-0.13712351024150848f, 0.02228659763932228f, -0.045679494738578796f, -0.2701026499271393f},
            {0.029519299045205116f, 0.5052781701087952f, -0.404909610748291f, 0.005891377106308937f}
    };
    private static final float[][] VALUE_AFTER = {
            {-0.21735714375972748f, 0.3175468146800995f},
            {0.022072456777095795f, 0.11593648791313171f},
            {-0.2587246894836426f, 0.33753761649131775f},
            {-0.0007946193218231201f, 0.11440400779247284f},
            {-0.2933315634727478f, 0.3035023510456085f},
            {-0.10095593333244324f, 0.10194794833660126f},
            {-0.3324706554412842f, 0.4092743396759033f}
    };
    private static final Map<String, Double> HISTORY = Map.of(
            "cls_accuracy", 0.1428571492433548,
            "cls_loss", 1.2932065725326538,
            "code_loss", 1.0658725500106812,
            "loss", 3.2470014095306396,
            "value_loss", 1.4858953952789307,
            "value_mae", 0.9922602772712708);
    private static final Map<String, Double> EVALUATE = Map.of(
            "cls_accuracy", 0.1428571492433548,
            "cls_loss", 1.2566972970962524,
            "code_loss", 0.9667916893959045,
            "loss", 3.056429624557495,
            "value_loss", 1.4531079530715942,
            "value_mae", 1.0020020008087158);
    private static final int[] CLASSES = {0, 2, 1, 1, 0, 2, 2};

    static Functional threeOutputs() {
        InputLayer in = Input(5);
        SymbolicTensor h = Dense(6, "relu").named("hidden").apply(in);
        SymbolicTensor code = Dense(4, "tanh").named("code").apply(h);
        SymbolicTensor cls = Dense(3, "softmax").named("cls").apply(h);
        SymbolicTensor value = Dense(2).named("value").apply(code);
        return Model.of(in, List.of(cls, code, value));
    }

    static OutputLosses kerasLosses() {
        return OutputLosses.of("sparse_categorical_crossentropy", "mse", "mse").weights(0.7, 1.5, 0.5)
                .metrics(List.of("accuracy"), List.of(), List.of("mae"));
    }

    static List<Object> targets() {
        return List.of(CLASSES, rows(7, 4, 9), rows(7, 2, 10));
    }

    @Test
    void predictsTrainsAndReportsAsKeras() {
        try (Model model = threeOutputs().compile(new SGD(0.1), kerasLosses())) {
            model.setWeights(weightsFor(model, 31, 33, 32, 34)); // Keras' layer order: hidden, code, cls, value
            float[][] x = rows(7, 5, 8);
            List<float[][]> before = model.predictOutputs(x);
            assertEquals(3, before.size());
            assertClose(CLS_BEFORE, before.get(0), 1e-6);
            assertClose(VALUE_BEFORE, before.get(2), 1e-6);
            History h = model.fit(x, targets(), epochs(1), batchSize(7), shuffle(false), verbose(0));
            assertEquals(List.copyOf(new java.util.TreeSet<>(HISTORY.keySet())), List.copyOf(h.history().keySet()));
            HISTORY.forEach((key, value) -> assertEquals(value, h.history().get(key).get(0), 1e-5, key));
            List<float[][]> after = model.predictOutputs(x);
            assertClose(CLS_AFTER, after.get(0), 1e-5);
            assertClose(CODE_AFTER, after.get(1), 1e-5);
            assertClose(VALUE_AFTER, after.get(2), 1e-5);
            Map<String, Double> scores = model.evaluate(x, targets());
            assertEquals(List.copyOf(new java.util.TreeSet<>(EVALUATE.keySet())), List.copyOf(scores.keySet()));
            EVALUATE.forEach((key, value) -> assertEquals(value, scores.get(key), 1e-5, key));
        }
    }

    @Test
    void targetsByNameAndLossesByNameMatchTheListForms() {
        float[][] x = rows(7, 5, 8);
        OutputLosses byName = OutputLosses.byName(Map.of("value", "mse", "cls", "sparse_categorical_crossentropy",
                "code", "mse")).weights(Map.of("cls", 0.7, "code", 1.5, "value", 0.5))
                .metrics(Map.of("cls", List.of("accuracy"), "value", List.of("mae")));
        try (Model model = threeOutputs().compile(new SGD(0.1), byName)) {
            model.setWeights(weightsFor(model, 31, 33, 32, 34));
            History h = model.fit(x, Map.of("cls", CLASSES, "code", rows(7, 4, 9), "value", rows(7, 2, 10)),
                    epochs(1), batchSize(7), shuffle(false), verbose(0));
            HISTORY.forEach((key, value) -> assertEquals(value, h.history().get(key).get(0), 1e-5, key));
        }
    }

    /** Keras: one loss applies to every output, each weight 1; a flat metric list names one metric per output. */
    @Test
    void oneLossScoresEveryOutputWithWeightOne() {
        float[][] x = rows(7, 5, 8);
        try (Model model = threeOutputs().compile(new SGD(0.1), "mse", "mae", "mse", "mae")) {
            model.setWeights(weightsFor(model, 31, 33, 32, 34));
            float[][] onehot = new float[7][3];
            for (int r = 0; r < 7; r++) {
                onehot[r][CLASSES[r]] = 1;
            }
            Map<String, Double> scores = model.evaluate(x, List.of(onehot, rows(7, 4, 9), rows(7, 2, 10)));
            assertEquals(List.of("cls_loss", "cls_mae", "code_loss", "code_mse", "loss", "value_loss", "value_mae"),
                    List.copyOf(scores.keySet()));
            assertEquals(scores.get("cls_loss") + scores.get("code_loss") + scores.get("value_loss"), scores.get("loss"),
                    1e-6);
            assertEquals(scores.get("code_loss"), scores.get("code_mse"), 1e-6);
        }
        var e = assertThrows(IllegalArgumentException.class,
                () -> threeOutputs().compile(new SGD(0.1), "mse", "mae"));
        assertEquals("1 metrics were given for a model with 3 outputs [cls, code, value]: give one metric per output,"
                + " or per-output lists with OutputLosses.metrics", e.getMessage());
    }

    /** Keras weights every output's loss by the row's sample weight; the total stays Σ weight · loss. */
    @Test
    void sampleWeightsWeightEveryOutputAndValidationSplitsEveryTarget() {
        float[][] x = rows(8, 5, 8);
        int[] classes = {0, 2, 1, 1, 0, 2, 2, 1};
        List<Object> y = List.of(classes, rows(8, 4, 9), rows(8, 2, 10));
        float[] weights = {1, 0.5f, 2, 0, 1, 1.5f, 1, 3};
        try (Model model = threeOutputs().compile(new SGD(0.1), kerasLosses())) {
            Map<String, Double> plain = model.evaluate(x, y);
            assertEquals(0.7 * plain.get("cls_loss") + 1.5 * plain.get("code_loss") + 0.5 * plain.get("value_loss"),
                    plain.get("loss"), 1e-5);
            History h = model.fit(x, y, epochs(2), batchSize(3), validationSplit(0.25), sampleWeight(weights),
                    verbose(0));
            assertEquals(List.of("cls_accuracy", "cls_loss", "code_loss", "loss", "val_cls_accuracy", "val_cls_loss",
                    "val_code_loss", "val_loss", "val_value_loss", "val_value_mae", "value_loss", "value_mae"),
                    List.copyOf(h.history().keySet()));
        }
    }

    /** Compiling again changes the losses and weights and keeps the weights, as Keras' recompile. */
    @Test
    void recompilingKeepsTheWeightsAndTakesTheNewLosses() {
        float[][] x = rows(7, 5, 8);
        try (Model model = threeOutputs().compile(new SGD(0.1), kerasLosses())) {
            model.setWeights(weightsFor(model, 31, 33, 32, 34));
            assertEquals(List.of("cls", "code", "value"), model.outputNames());
            assertEquals(List.of("sparse_categorical_crossentropy", "mean_squared_error", "mean_squared_error"),
                    model.outputLosses().stream().map(l -> l.name()).toList());
            List<float[]> before = model.getWeights();
            model.compile(new SGD(0.1), OutputLosses.of("sparse_categorical_crossentropy", "mse", "mae").weights(1, 0, 2));
            for (int i = 0; i < before.size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(before.get(i), model.getWeights().get(i));
            }
            Map<String, Double> scores = model.evaluate(x, targets());
            assertEquals(List.of("cls_loss", "code_loss", "loss", "value_loss"), List.copyOf(scores.keySet()));
            assertEquals(scores.get("cls_loss") + 2 * scores.get("value_loss"), scores.get("loss"), 1e-5);
            java.io.ByteArrayOutputStream text = new java.io.ByteArrayOutputStream();
            model.summary(new java.io.PrintStream(text, true, java.nio.charset.StandardCharsets.UTF_8));
            String summary = text.toString(java.nio.charset.StandardCharsets.UTF_8);
            for (String layer : List.of("hidden", "code", "cls", "value")) {
                assertEquals(true, summary.contains(layer), summary);
            }
        }
    }

    @Test
    void badTargetsAndSettingsAreRefusedWithTheirNames() {
        float[][] x = rows(7, 5, 8);
        try (Model model = threeOutputs().compile(new SGD(0.1), kerasLosses())) {
            var e = assertThrows(IllegalArgumentException.class, () -> model.fit(x, List.of(CLASSES), verbose(0)));
            assertEquals("y holds 1 arrays for a model with 3 outputs [cls, code, value]; expected one per output, in"
                    + " that order", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.fit(x, CLASSES, verbose(0)));
            assertEquals("y is a int[]; a model with 3 outputs [cls, code, value] takes a List with one int[] or"
                    + " float[][] per output, or a Map from output name to it", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.evaluate(x, Map.of("cls", CLASSES, "kode",
                    rows(7, 4, 9), "value", rows(7, 2, 10))));
            assertEquals("y has targets for 'kode', which is not an output of the model; its outputs are [cls, code,"
                    + " value]", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.fit(x, List.of(CLASSES, rows(7, 3, 9),
                    rows(7, 2, 10)), verbose(0)));
            assertEquals(true, e.getMessage().startsWith("y of output 'code'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.predict(x));
            assertEquals("the model has several outputs [cls, code, value]: call predictOutputs, which gives one array"
                    + " per output", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.evaluateDetailed(x, CLASSES));
            assertEquals(true, e.getMessage().startsWith("evaluateDetailed is not supported for a model with several"
                    + " outputs"), e.getMessage());
            assertEquals(0, model.iterations(), "nothing refused trained the model");
        }
        var e = assertThrows(IllegalArgumentException.class, () -> threeOutputs().compile(new SGD(0.1),
                OutputLosses.of("mse", "mse")));
        assertEquals("2 losses were given for a model with 3 outputs; expected one per output, in the order of the"
                + " outputs", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> threeOutputs().compile(new SGD(0.1),
                OutputLosses.byName(Map.of("cls", "mse", "code", "mse"))));
        assertEquals("no loss was given for output 'value'; losses by name need one for each of [cls, code, value]",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> OutputLosses.of("mse").weights(-1));
        assertEquals("loss weight 0 is -1.0; expected a finite number >= 0", e.getMessage());
    }
}
