package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Activation;
import static dev.kiln.Layers.AveragePooling2D;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Conv2D;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.GlobalAveragePooling2D;
import static dev.kiln.Layers.GlobalMaxPooling2D;
import static dev.kiln.Layers.Input;
import static dev.kiln.Layers.LayerNormalization;
import static dev.kiln.Layers.MaxPooling2D;
import static dev.kiln.Layers.Reshape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.core.memory.Tensor;
import dev.kiln.losses.CategoricalCrossentropy;
import dev.kiln.losses.SparseCategoricalCrossentropy;
import dev.kiln.metrics.AUC;
import dev.kiln.metrics.Precision;
import dev.kiln.optimizers.Adagrad;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.AdamW;
import dev.kiln.optimizers.RMSprop;
import dev.kiln.optimizers.SGD;
import dev.kiln.optimizers.schedules.ExponentialDecay;
import dev.kiln.regularizers.Regularizers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln to Keras: models trained in Kiln are saved as {@code .keras} and {@code .weights.h5} and opened
 * by Keras 3 itself, which must predict what Kiln predicted (within 1e-5) and, after one more training
 * step on both sides, land where Kiln lands (so the optimizer state and compile config crossed too).
 *
 * <p>Needs a Python with Keras 3 and JAX: {@code $KILN_KERAS_PYTHON}, else the environment
 * {@code ../shared/peers/keras-peer} builds ({@code /tmp/kiln-peer-venv}). Without one the test is
 * skipped and says why; the other direction is checked without Python by {@link KerasFixturesTest}.
 */
class KerasPythonInteropTest {
    private static final String CHECKER = """
            import json, sys
            import numpy as np
            import keras
            out = {}
            for name in sys.argv[2:]:
                base = sys.argv[1] + "/" + name
                x = np.load(base + ".x.npy")
                model = keras.models.load_model(base + ".keras")
                got = model.predict(x, verbose=0)
                fresh = keras.models.load_model(base + ".keras")
                fresh.load_weights(base + ".weights.h5")
                result = {
                    "predict": float(np.abs(got - np.load(base + ".pred.npy")).max()),
                    "weights_h5": float(np.abs(fresh.predict(x, verbose=0) - got).max()),
                    "iterations": int(model.optimizer.iterations.numpy()),
                    "optimizer": type(model.optimizer).__name__,
                    "loss": str(model.loss if isinstance(model.loss, str) else type(model.loss).__name__),
                }
                tx, ty = np.load(base + ".train_x.npy"), np.load(base + ".train_y.npy")
                if ty.ndim == 1:
                    ty = ty.astype("int32")
                model.fit(tx, ty, batch_size=len(tx), epochs=1, shuffle=False, verbose=0)
                result["next"] = float(np.abs(model.predict(x, verbose=0) - np.load(base + ".next.npy")).max())
                out[name] = result
            print("JSON " + json.dumps(out))
            """;

    /** As CHECKER, for functional models whose inputs lie in x0.npy, x1.npy, ... (and train_x0.npy, ...). */
    private static final String FUNCTIONAL_CHECKER = """
            import json, os, sys
            import numpy as np
            import keras
            out = {}
            for name in sys.argv[2:]:
                base = sys.argv[1] + "/" + name
                count = len([f for f in os.listdir(sys.argv[1]) if f.startswith(name + ".x") and f.endswith(".npy")])
                x = [np.load(base + f".x{i}.npy") for i in range(count)]
                tx = [np.load(base + f".train_x{i}.npy") for i in range(count)]
                ty = np.load(base + ".train_y.npy")
                model = keras.models.load_model(base + ".keras")
                got = model.predict(x, verbose=0)
                fresh = keras.models.load_model(base + ".keras")
                fresh.load_weights(base + ".weights.h5")
                result = {
                    "predict": float(np.abs(got - np.load(base + ".pred.npy")).max()),
                    "weights_h5": float(np.abs(fresh.predict(x, verbose=0) - got).max()),
                    "iterations": int(model.optimizer.iterations.numpy()),
                    "layers": [l.name for l in model.layers],
                }
                model.fit(tx, ty, batch_size=len(ty), epochs=1, shuffle=False, verbose=0)
                result["next"] = float(np.abs(model.predict(x, verbose=0) - np.load(base + ".next.npy")).max())
                out[name] = result
            print("JSON " + json.dumps(out))
            """;

    @TempDir
    Path dir;

    @Test
    void kerasLoadsKilnsFunctionalModelsAndTrainsOnAlike() throws Exception {
        String python = kerasPython();
        Random random = new Random(15);
        List<String> names = List.of("residual", "two_inputs", "siamese");
        for (String name : names) {
            boolean two = !name.equals("residual"); // two inputs and float targets
            try (Model model = switch (name) {
                case "two_inputs" -> FunctionalModelTest.twoInputs();
                case "siamese" -> SharedLayerTest.siamese(); // one Dense applied to both inputs
                default -> FunctionalModelTest.residual();
            }) {
                int[] widths = switch (name) {
                    case "two_inputs" -> new int[] {4, 3};
                    case "siamese" -> new int[] {4, 4};
                    default -> new int[] {6};
                };
                List<float[][]> x = new ArrayList<>();
                List<float[][]> trainX = new ArrayList<>();
                for (int i = 0; i < widths.length; i++) {
                    x.add(rows(random, 8, widths[i]));
                    trainX.add(rows(random, 16, widths[i]));
                    npy(x.get(i), new int[] {widths[i]}, dir.resolve(name + ".x" + i + ".npy"));
                    npy(trainX.get(i), new int[] {widths[i]}, dir.resolve(name + ".train_x" + i + ".npy"));
                }
                FitOption[] options = {epochs(1), batchSize(16), shuffle(false), verbose(0)};
                if (two) {
                    float[][] y = rows(random, 16, 2);
                    Tensor.of(y).toNpy(dir.resolve(name + ".train_y.npy"));
                    model.fit(trainX, y, epochs(3), batchSize(16), shuffle(false), verbose(0));
                    save(model, x, dir.resolve(name));
                    model.fit(trainX, y, options);
                } else {
                    int[] labels = new int[16];
                    float[] asFloats = new float[16];
                    for (int i = 0; i < 16; i++) {
                        labels[i] = random.nextInt(3);
                        asFloats[i] = labels[i];
                    }
                    Tensor.of(asFloats, 16).toNpy(dir.resolve(name + ".train_y.npy"));
                    model.fit(trainX, labels, epochs(3), batchSize(16), shuffle(false), verbose(0));
                    save(model, x, dir.resolve(name));
                    model.fit(trainX, labels, options);
                }
                Tensor.of(model.predict(x)).toNpy(dir.resolve(name + ".next.npy"));
            }
        }
        List<String> command = new ArrayList<>(List.of(python, "-c", FUNCTIONAL_CHECKER, dir.toString()));
        command.addAll(names);
        String output = run(command);
        int at = output.lastIndexOf("JSON ");
        assertTrue(at >= 0, "the Keras side printed no result:\n" + output);
        JsonNode results = new ObjectMapper().readTree(output.substring(at + 5));
        System.out.println("Keras against Kiln's functional models, largest differences: " + results);
        for (String name : names) {
            JsonNode r = results.get(name);
            assertTrue(r.get("predict").asDouble() <= 1e-5, name + ": Keras predicts otherwise, off by " + r);
            assertTrue(r.get("weights_h5").asDouble() <= 1e-6, name + ": the .weights.h5 differs: " + r);
            assertEquals(3, r.get("iterations").asInt(), name + ": the step count did not cross: " + r);
            assertTrue(r.get("next").asDouble() <= 1e-4, name + ": one more step lands elsewhere: " + r);
        }
        assertEquals("[\"input_layer\",\"input_layer_1\",\"dense\",\"concatenate\",\"dense_1\"]",
                results.get("siamese").get("layers").toString(), "Keras lists the shared Dense once");
    }

    /**
     * Loads Kiln's three-output model in Keras, predicts each output and evaluates with the losses, loss
     * weights and metrics Keras reads from the file's compile_config: Kiln's numbers under Keras' names.
     */
    private static final String MULTI_OUTPUT_CHECKER = """
            import json, sys
            import numpy as np
            import keras
            base = sys.argv[1]
            model = keras.models.load_model(base + ".keras")
            x = np.load(base + ".x.npy")
            got = model.predict(x, verbose=0)
            y = [np.load(base + ".y0.npy").astype("int32"), np.load(base + ".y1.npy"), np.load(base + ".y2.npy")]
            out = {"predict": max(float(np.abs(got[k] - np.load(base + f".pred{k}.npy")).max()) for k in range(3)),
                   "outputs": [t[0] for t in model.get_config()["output_layers"]],
                   "evaluate": model.evaluate(x, y, verbose=0, return_dict=True)}
            print("JSON " + json.dumps(out))
            """;

    @Test
    void kerasLoadsKilnsMultiOutputModelWithItsLossesAndWeights() throws Exception {
        String python = kerasPython();
        float[][] x = FunctionalModelTest.rows(7, 5, 8);
        List<Object> y = MultiOutputModelTest.targets();
        try (Model model = MultiOutputModelTest.threeOutputs().compile(new SGD(0.1), MultiOutputModelTest.kerasLosses())) {
            model.fit(x, y, epochs(2), batchSize(4), verbose(0));
            Path base = dir.resolve("outputs");
            model.save(Path.of(base + ".keras"));
            Tensor.of(x).toNpy(Path.of(base + ".x.npy"));
            int[] labels = (int[]) y.get(0);
            float[] asFloats = new float[labels.length];
            for (int i = 0; i < labels.length; i++) {
                asFloats[i] = labels[i];
            }
            Tensor.of(asFloats, labels.length).toNpy(Path.of(base + ".y0.npy"));
            Tensor.of((float[][]) y.get(1)).toNpy(Path.of(base + ".y1.npy"));
            Tensor.of((float[][]) y.get(2)).toNpy(Path.of(base + ".y2.npy"));
            List<float[][]> predictions = model.predictOutputs(x);
            for (int k = 0; k < predictions.size(); k++) {
                Tensor.of(predictions.get(k)).toNpy(Path.of(base + ".pred" + k + ".npy"));
            }
            String output = run(List.of(python, "-c", MULTI_OUTPUT_CHECKER, base.toString()));
            int at = output.lastIndexOf("JSON ");
            assertTrue(at >= 0, "the Keras side printed no result:\n" + output);
            JsonNode r = new ObjectMapper().readTree(output.substring(at + 5));
            System.out.println("Keras against Kiln's three-output model: " + r);
            assertTrue(r.get("predict").asDouble() <= 1e-5, "Keras predicts otherwise: " + r);
            assertEquals("[\"cls\",\"code\",\"value\"]", r.get("outputs").toString());
            Map<String, Double> kiln = model.evaluate(x, y);
            List<String> kerasKeys = new ArrayList<>();
            r.get("evaluate").fieldNames().forEachRemaining(kerasKeys::add);
            assertEquals(List.copyOf(kiln.keySet()), kerasKeys);
            kiln.forEach((key, value) -> assertEquals(value, r.get("evaluate").get(key).asDouble(), 1e-5, key));
        }
    }

    private static void save(Model model, List<float[][]> x, Path base) throws IOException {
        model.save(Path.of(base + ".keras"));
        model.saveWeights(Path.of(base + ".weights.h5"));
        Tensor.of(model.predict(x)).toNpy(Path.of(base + ".pred.npy"));
    }

    private record Case(String name, Supplier<Model> model, int[] inputShape, int classes, boolean sparse,
            boolean dropout) {
    }

    @Test
    void kerasLoadsWhatKilnSavedAndTrainsOnAlike() throws Exception {
        String python = kerasPython();
        List<Case> cases = List.of(
                new Case("dense_activations", () -> Sequential.of(Input(6), Dense(5, "relu"), Dense(5, "tanh"),
                        Dense(5, "gelu"), Dense(4, "elu"), Dense(4, "silu"), Dense(4, "leaky_relu"),
                        Dense(4, "sigmoid"), Activation("tanh"), Dense(3, "softmax"))
                        .compile(new Adam(0.01), "sparse_categorical_crossentropy", "accuracy"),
                        new int[] {6}, 3, true, false),
                new Case("batchnorm_sgd", () -> Sequential.of(Input(6), Dense(5, "relu"), BatchNormalization(),
                        Dense(3, "softmax")).compile(new SGD(0.05, 0.9, false), "sparse_categorical_crossentropy"),
                        new int[] {6}, 3, true, false),
                new Case("layernorm_rmsprop", () -> Sequential.of(Input(6), Dense(5), LayerNormalization(),
                        Dense(2, "sigmoid")).compile(new RMSprop(0.01), "binary_crossentropy",
                                new Precision(0.7).named("p"), new AUC(50)),
                        new int[] {6}, 2, false, false),
                new Case("regularized_adamw", () -> Sequential.of(Input(6),
                        Dense(5, "relu").kernelRegularizer(Regularizers.L2(0.01)).biasRegularizer(Regularizers.L1(0.001)),
                        Dense(3, "softmax").kernelRegularizer(Regularizers.L1L2(0.001, 0.01)))
                        .compile(new AdamW(0.01, 0.004), new CategoricalCrossentropy(false, 0.1)),
                        new int[] {6}, 3, false, false),
                new Case("adagrad_mse", () -> Sequential.of(Input(6), Dense(4, "relu"), Dense(2))
                        .compile(new Adagrad(0.05, 0.1, 1e-7), "mse", "mae"), new int[] {6}, 2, false, false),
                new Case("schedule_logits", () -> Sequential.of(Input(6), Dense(5, "relu"), Dropout(0.3), Dense(3))
                        .compile(new Adam(new ExponentialDecay(0.01, 10, 0.9)),
                                new SparseCategoricalCrossentropy(true)),
                        new int[] {6}, 3, true, true),
                new Case("convnet", () -> Sequential.of(Input(8, 8, 2), Conv2D(3, 3, "relu").padding("same"),
                        MaxPooling2D(2), Conv2D(4, 2).strides(2).useBias(false), AveragePooling2D(1), Flatten(),
                        Dense(3, "softmax")).compile(new Adam(0.01), "sparse_categorical_crossentropy"),
                        new int[] {8, 8, 2}, 3, true, false),
                new Case("global_pools", () -> Sequential.of(Input(12), Reshape(4, 3, 1), Conv2D(2, 2, "relu"),
                        GlobalAveragePooling2D(), Dense(3, "softmax")).compile("adam", "sparse_categorical_crossentropy"),
                        new int[] {12}, 3, true, false),
                new Case("global_max", () -> Sequential.of(Input(6, 6, 1), Conv2D(2, 3).padding("same"),
                        GlobalMaxPooling2D(), Dense(2, "softmax")).compile("rmsprop", "sparse_categorical_crossentropy"),
                        new int[] {6, 6, 1}, 2, true, false));
        Random random = new Random(14);
        List<String> names = new ArrayList<>();
        List<float[][]> expectedNext = new ArrayList<>();
        for (Case c : cases) {
            int width = 1;
            for (int d : c.inputShape) {
                width *= d;
            }
            float[][] x = rows(random, 8, width);
            float[][] trainX = rows(random, 16, width);
            int[] labels = new int[16];
            float[][] targets = new float[16][c.classes];
            for (int i = 0; i < 16; i++) {
                labels[i] = random.nextInt(c.classes);
                for (int k = 0; k < c.classes; k++) {
                    targets[i][k] = c.sparse ? 0 : (c.name.equals("adagrad_mse") ? random.nextFloat()
                            : (k == labels[i] ? 1 : 0));
                }
            }
            Path base = dir.resolve(c.name);
            try (Model model = c.model.get()) {
                FitOption[] options = {epochs(3), batchSize(16), shuffle(false), verbose(0)};
                if (c.sparse) {
                    model.fit(trainX, labels, options);
                } else {
                    model.fit(trainX, targets, options);
                }
                model.save(Path.of(base + ".keras"));
                model.saveWeights(Path.of(base + ".weights.h5"));
                npy(x, c.inputShape, Path.of(base + ".x.npy"));
                npy(trainX, c.inputShape, Path.of(base + ".train_x.npy"));
                Tensor.of(model.predict(x)).toNpy(Path.of(base + ".pred.npy"));
                if (c.sparse) {
                    float[] asFloats = new float[16];
                    for (int i = 0; i < 16; i++) {
                        asFloats[i] = labels[i];
                    }
                    Tensor.of(asFloats, 16).toNpy(Path.of(base + ".train_y.npy"));
                    model.fit(trainX, labels, epochs(1), batchSize(16), shuffle(false), verbose(0));
                } else {
                    Tensor.of(targets).toNpy(Path.of(base + ".train_y.npy"));
                    model.fit(trainX, targets, epochs(1), batchSize(16), shuffle(false), verbose(0));
                }
                float[][] next = model.predict(x);
                Tensor.of(next).toNpy(Path.of(base + ".next.npy"));
                names.add(c.name);
                expectedNext.add(next);
            }
        }
        List<String> command = new ArrayList<>(List.of(python, "-c", CHECKER, dir.toString()));
        command.addAll(names);
        String output = run(command);
        int at = output.lastIndexOf("JSON ");
        assertTrue(at >= 0, "the Keras side printed no result:\n" + output);
        JsonNode results = new ObjectMapper().readTree(output.substring(at + 5));
        System.out.println("Keras against Kiln, largest differences: " + results);
        for (Case c : cases) {
            JsonNode r = results.get(c.name);
            assertTrue(r.get("predict").asDouble() <= 1e-5, c.name + ": Keras predicts otherwise, off by " + r);
            assertTrue(r.get("weights_h5").asDouble() <= 1e-6, c.name + ": the .weights.h5 differs: " + r);
            assertEquals(3, r.get("iterations").asInt(), c.name + ": the step count did not cross: " + r);
            if (!c.dropout) { // dropout masks differ between the engines
                assertTrue(r.get("next").asDouble() <= 1e-4, c.name + ": one more step lands elsewhere: " + r);
            }
        }
    }

    private static float[][] rows(Random random, int n, int width) {
        float[][] x = new float[n][width];
        for (float[] row : x) {
            for (int j = 0; j < width; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
        return x;
    }

    /** Rows written with the example's own shape, as Keras takes them: (n, 8, 8, 2) for images. */
    private static void npy(float[][] rows, int[] shape, Path file) throws IOException {
        int[] full = new int[shape.length + 1];
        full[0] = rows.length;
        System.arraycopy(shape, 0, full, 1, shape.length);
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[i].length, rows[i].length);
        }
        Tensor.of(flat, full).toNpy(file);
    }

    /** The Python that has Keras 3 with JAX, or a skip that says where it was looked for. */
    private static String kerasPython() throws IOException, InterruptedException {
        String configured = System.getenv("KILN_KERAS_PYTHON");
        String python = configured != null ? configured : "/tmp/kiln-peer-venv/bin/python";
        String reason = null;
        if (!Files.isExecutable(Path.of(python))) {
            reason = python + " does not exist (set KILN_KERAS_PYTHON, or run ../shared/peers/keras-peer once)";
        } else {
            String probe = run(List.of(python, "-c", "import keras; print('KERAS', keras.__version__)"));
            if (!probe.contains("KERAS 3.")) {
                reason = python + " has no Keras 3: " + probe.strip();
            }
        }
        if (reason != null) {
            System.out.println("KerasPythonInteropTest skipped: " + reason);
            Assumptions.abort(reason);
        }
        return python;
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("KERAS_BACKEND", "jax");
        builder.environment().put("JAX_PLATFORMS", "cpu");
        Process p = builder.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return out + "\n(timed out)";
        }
        return out;
    }
}
