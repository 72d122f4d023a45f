package dev.kiln.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.layers.CustomLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.losses.Loss;
import dev.kiln.metrics.Metric;
import dev.kiln.optimizers.Optimizer;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * The {@code config.json} of a {@code .kiln} file: everything needed to rebuild a model and resume
 * its training, laid out as Keras lays out its own {@code config.json} ({@code class_name} and
 * {@code config} per layer, {@code build_config}, {@code compile_config}), plus Kiln's version and the
 * training state Keras keeps in optimizer variables (step count, current learning rate, seeds).
 *
 * <pre>{@code
 * byte[] json = config.toJson();
 * ModelConfig back = ModelConfig.fromJson(json, "model.kiln");
 * }</pre>
 *
 * @param kilnVersion the version that wrote the file
 * @param layers      the layer specifications, in order, each once (a shared layer too)
 * @param layerNames  their names ({@code dense}, {@code dense_1}, ...), which name the weights
 * @param inputWidth  the width the model was built for, 0 when it was never built
 * @param optimizer   the optimizer as compiled
 * @param loss        the loss
 * @param metrics     the metrics, by the names they were given
 * @param state       where training stands
 * @param trainable   each layer's trainable flag (Keras' {@code "trainable"} in the layer's config)
 * @param connections which layer reads which in a functional model, null for a Sequential (a chain)
 * @param perOutput   the loss, loss weight and metrics of each output of a model with several outputs
 *                    (then {@code loss} and {@code metrics} are unused), null for a model with one
 */
public record ModelConfig(String kilnVersion, List<Layer> layers, List<String> layerNames, int inputWidth,
        Optimizer optimizer, Loss loss, List<Metric> metrics, TrainingState state, List<Boolean> trainable,
        Connections connections, PerOutput perOutput) {
    static final int FORMAT_VERSION = 1;
    /** The most layers a file may hold; saving refuses a larger model, so every saved file loads back. */
    public static final int MAX_LAYERS = 10_000;

    /**
     * What training needs beyond the weights and optimizer slots to continue exactly.
     *
     * @param iterations   optimizer steps taken (Adam's bias correction depends on it)
     * @param learningRate the current learning rate (a callback may have changed it)
     * @param seed         the model's own seed (its shuffles derive from it)
     * @param dropoutSeed  the base seed of the dropout masks
     * @param dropoutStep  how far the dropout mask stream has advanced
     */
    public record TrainingState(long iterations, double learningRate, long seed, long dropoutSeed, long dropoutStep) {
    }

    /**
     * How a functional model's layers connect. A place is one application of a layer: a layer applied
     * several times (shared) is at several places, which Keras' files list as the layer's inbound nodes.
     *
     * @param reads   for each place, the places whose outputs it reads (none for an input); each place
     *                comes after those it reads
     * @param inputs  the places of the model's inputs, in the order data is passed
     * @param layerAt for each place, the index of its layer in {@link #layers()}
     */
    public record Connections(List<int[]> reads, List<Integer> inputs, List<Integer> layerAt, List<Integer> outputs) {
        public Connections {
            reads = List.copyOf(reads);
            inputs = List.copyOf(inputs);
            layerAt = List.copyOf(layerAt);
            outputs = List.copyOf(outputs);
            if (layerAt.size() != reads.size()) {
                throw new IllegalArgumentException(reads.size() + " places but " + layerAt.size() + " layer indices");
            }
        }

        /** Connections whose output is the last place. */
        public Connections(List<int[]> reads, List<Integer> inputs, List<Integer> layerAt) {
            this(reads, inputs, layerAt, List.of(reads.size() - 1));
        }

        /** Which application of its layer place {@code place} is: 0 for the first (Keras' node index). */
        public int applicationIndex(int place) {
            int k = 0;
            for (int i = 0; i < place; i++) {
                if (layerAt.get(i).equals(layerAt.get(place))) {
                    k++;
                }
            }
            return k;
        }
    }

    /**
     * How each output of a model with several outputs is compiled, in the order of the outputs; Keras'
     * {@code compile_config} keeps them as lists ({@code loss}, {@code loss_weights}, {@code metrics}).
     */
    public record PerOutput(List<Loss> losses, List<Double> weights, List<List<Metric>> metrics) {
        public PerOutput {
            losses = List.copyOf(losses);
            weights = List.copyOf(weights);
            metrics = metrics.stream().map(List::copyOf).toList();
            if (weights.size() != losses.size() || metrics.size() != losses.size()) {
                throw new IllegalArgumentException(losses.size() + " losses but " + weights.size() + " loss weights and "
                        + metrics.size() + " metric lists");
            }
        }
    }

    /** A model with one output. */
    public ModelConfig(String kilnVersion, List<Layer> layers, List<String> layerNames, int inputWidth,
            Optimizer optimizer, Loss loss, List<Metric> metrics, TrainingState state, List<Boolean> trainable,
            Connections connections) {
        this(kilnVersion, layers, layerNames, inputWidth, optimizer, loss, metrics, state, trainable, connections, null);
    }

    public ModelConfig {
        layers = List.copyOf(layers);
        layerNames = List.copyOf(layerNames);
        metrics = List.copyOf(metrics);
        trainable = trainable == null ? java.util.Collections.nCopies(layers.size(), true) : List.copyOf(trainable);
        if (trainable.size() != layers.size() || layerNames.size() != layers.size()) {
            throw new IllegalArgumentException(layers.size() + " layers but " + layerNames.size() + " names and "
                    + trainable.size() + " trainable flags");
        }
    }

    /** A config whose layers are all trainable. */
    public ModelConfig(String kilnVersion, List<Layer> layers, List<String> layerNames, int inputWidth,
            Optimizer optimizer, Loss loss, List<Metric> metrics, TrainingState state) {
        this(kilnVersion, layers, layerNames, inputWidth, optimizer, loss, metrics, state, null, null);
    }

    /**
     * The config as {@code config.json} bytes.
     *
     * @throws IllegalStateException when the model has more layers than a file may hold ({@link #MAX_LAYERS})
     */
    public byte[] toJson() {
        ObjectNode root = SafeTensors.JSON.createObjectNode();
        root.put("format", "kiln");
        root.put("format_version", FORMAT_VERSION);
        root.put("kiln_version", kilnVersion);
        kerasFields(root);
        ObjectNode training = root.putObject("training_state");
        training.put("iterations", state.iterations());
        training.put("learning_rate", state.learningRate());
        training.put("seed", state.seed());
        training.put("dropout_seed", state.dropoutSeed());
        training.put("dropout_step", state.dropoutStep());
        return encode(root);
    }

    /**
     * The config as the {@code config.json} of a Keras {@code .keras} file: Keras' fields alone (the
     * training state Keras keeps in its optimizer variables goes into the weights file).
     *
     * @throws IllegalStateException when the model has more layers than a file may hold ({@link #MAX_LAYERS})
     */
    public byte[] toKerasJson() {
        ObjectNode root = SafeTensors.JSON.createObjectNode();
        kerasFields(root);
        return encode(root);
    }

    private void kerasFields(ObjectNode root) {
        if (layers.size() > MAX_LAYERS) {
            throw new IllegalStateException("the model has " + layers.size() + " layers; a saved file holds at most "
                    + MAX_LAYERS + ", so it cannot be saved");
        }
        if (connections != null) {
            root.put("module", "keras.src.models.functional");
            root.put("class_name", FunctionalConfigs.CLASS_NAME);
            ObjectNode config = root.putObject("config");
            config.put("name", "functional");
            config.put("trainable", true);
            FunctionalConfigs.write(config, layers, layerNames, trainable, connections);
            root.put("registered_name", FunctionalConfigs.CLASS_NAME);
            root.putObject("build_config").putNull("input_shape"); // each Input gives its own shape
        } else {
            sequentialFields(root);
        }
        ObjectNode compile = root.putObject("compile_config");
        compile.set("optimizer", OptimizerConfigs.optimizer(optimizer));
        if (perOutput != null) {
            ArrayNode losses = compile.putArray("loss");
            perOutput.losses().forEach(l -> losses.add(LossConfigs.loss(l)));
            ArrayNode weights = compile.putArray("loss_weights");
            perOutput.weights().forEach(weights::add);
            ArrayNode metricLists = compile.putArray("metrics");
            for (List<Metric> list : perOutput.metrics()) {
                ArrayNode metricArray = metricLists.addArray();
                list.forEach(m -> metricArray.add(MetricConfigs.metric(m)));
            }
            return;
        }
        compile.set("loss", LossConfigs.loss(loss));
        ArrayNode metricArray = compile.putArray("metrics");
        metrics.forEach(m -> metricArray.add(MetricConfigs.metric(m)));
    }

    private void sequentialFields(ObjectNode root) {
        root.put("module", "keras");
        root.put("class_name", "Sequential");
        ObjectNode config = root.putObject("config");
        config.put("name", "sequential");
        config.put("trainable", true);
        config.put("dtype", "float32");
        ArrayNode layerArray = config.putArray("layers");
        for (int i = 0; i < layers.size(); i++) {
            layerArray.add(LayerConfigs.layer(layers.get(i), layerNames.get(i), trainable.get(i)));
        }
        if (inputWidth > 0) {
            ArrayNode shape = root.putObject("build_config").putArray("input_shape").addNull();
            // Keras writes the example's own shape, [null, 28, 28] for an Input(28, 28).
            if (!layers.isEmpty() && layers.get(0) instanceof InputLayer in && in.width() == inputWidth) {
                in.shape().forEach(shape::add);
            } else {
                shape.add(inputWidth);
            }
        }
    }

    private static byte[] encode(ObjectNode root) {
        try {
            return SafeTensors.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the model's config", e);
        }
    }

    /** Parses and validates a config; every problem is a {@link ModelFormatException} naming the field. */
    public static ModelConfig fromJson(byte[] json, String source) throws ModelFormatException {
        JsonFields root = parse(json, source);
        if (!root.text("format").equals("kiln")) {
            throw root.fail("format", "must be \"kiln\"");
        }
        long version = root.longValue("format_version", 1);
        if (version > FORMAT_VERSION) {
            throw root.fail("format_version", "is " + version + " but this Kiln reads versions up to "
                    + FORMAT_VERSION + "; upgrade Kiln");
        }
        String kilnVersion = root.text("kiln_version");
        JsonFields training = root.object("training_state");
        double learningRate = training.number("learning_rate");
        if (!(learningRate >= 0) || learningRate > Float.MAX_VALUE) {
            throw training.fail("learning_rate", "must be a number in [0, " + Float.MAX_VALUE + "] (a float32 >= 0),"
                    + " found " + learningRate);
        }
        TrainingState state = new TrainingState(counter(training, "iterations"), learningRate,
                training.longValue("seed", Long.MIN_VALUE), training.longValue("dropout_seed", Long.MIN_VALUE),
                counter(training, "dropout_step"));
        return kerasFields(root, kilnVersion, state);
    }

    /**
     * Parses the {@code config.json} of a Keras {@code .keras} file. Its training state (step count,
     * current learning rate) lies in the weights file, so {@link #state()} and {@link #kilnVersion()}
     * are null.
     */
    public static ModelConfig fromKerasJson(byte[] json, String source) throws ModelFormatException {
        JsonFields root = parse(json, source);
        if (root.has("format")) {
            throw root.fail("format", "is a Kiln field; this is a .kiln file's config, not a .keras file's");
        }
        requireKerasClasses(root.node(), new ArrayDeque<>(List.of(root.path())), source);
        return kerasFields(root, null, null);
    }

    /**
     * Refuses a user's class anywhere in a Keras config. Keras finds an object's class by its
     * {@code registered_name} among the registered custom objects first, then by its {@code module}; so an
     * object whose module lies outside Keras, or whose registered name is a package's ({@code "my>Dense"}),
     * is a class of the user's own that merely shares its name with one of Keras' (a custom "Dense"), and
     * Kiln, which has only Keras' own, would compute something else. A model's layer entry registered by a
     * package name is the user's own layer ({@code Layers.custom}): allowed when this program registered it.
     */
    private static void requireKerasClasses(JsonNode node, Deque<String> path, String source)
            throws ModelFormatException {
        if (node.isObject() && node.hasNonNull("class_name")) {
            String type = node.get("class_name").asText();
            String module = node.hasNonNull("module") ? node.get("module").asText() : null;
            String registered = node.hasNonNull("registered_name") ? node.get("registered_name").asText() : null;
            boolean kerasFunction = type.equals(KerasNames.FUNCTION) && node.path("config").isTextual();
            // a user's loss or metric function, saved by its registered name and read from Kiln's registry
            boolean registeredFunction = kerasFunction && "builtins".equals(module)
                    && KerasNames.isRegisteredName(node.get("config").asText());
            // a user's layer (Layers.custom), saved by its registered name: LayerConfigs reads it from the registry
            boolean customLayer = registered != null && KerasNames.isRegisteredName(registered) && isLayerEntry(path);
            if (customLayer && !(CustomObjectRegistry.get(registered) instanceof CustomLayer)) {
                throw new ModelFormatException(source, String.join("", path) + ".registered_name: "
                        + CustomObjectRegistry.notRegistered("layer", Abbreviated.name(registered)));
            }
            boolean userClass = !registeredFunction && module != null && !module.equals("keras")
                    && !module.startsWith("keras.") || registered != null && !registered.equals(type) && !kerasFunction;
            if (userClass && !customLayer) {
                throw new ModelFormatException(source, String.join("", path) + " is a custom class: '"
                        + Abbreviated.name(type) + "' of module '" + Abbreviated.name(String.valueOf(module)) + "'"
                        + (registered == null ? "" : ", registered as '" + Abbreviated.name(registered) + "'")
                        + "; Kiln has only Keras' own classes, not a user's class of the same name");
            }
        }
        if (node.isObject()) {
            for (var field : node.properties()) {
                path.addLast("." + Abbreviated.name(field.getKey()));
                requireKerasClasses(field.getValue(), path, source);
                path.removeLast();
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                path.addLast("[" + i + "]");
                requireKerasClasses(node.get(i), path, source);
                path.removeLast();
            }
        }
    }

    /** Whether {@code path} is an entry of a model's layers ({@code ....config.layers[3]}). */
    private static boolean isLayerEntry(Deque<String> path) {
        if (path.size() < 2 || !path.peekLast().startsWith("[")) {
            return false;
        }
        var entries = path.descendingIterator();
        entries.next();
        return entries.next().equals(".layers");
    }

    private static JsonFields parse(byte[] json, String source) throws ModelFormatException {
        JsonNode tree;
        try {
            tree = SafeTensors.JSON.readTree(json);
        } catch (JacksonException e) {
            throw new ModelFormatException(source, KilnArchive.CONFIG_ENTRY + " is not valid JSON: "
                    + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelFormatException(source, KilnArchive.CONFIG_ENTRY + " is unreadable: " + e.getMessage());
        }
        return new JsonFields(tree, "config.json", source);
    }

    private static ModelConfig kerasFields(JsonFields root, String kilnVersion, TrainingState state)
            throws ModelFormatException {
        String modelClass = root.text("class_name");
        boolean functional = modelClass.equals(FunctionalConfigs.CLASS_NAME);
        if (!functional && !modelClass.equals("Sequential")) {
            throw root.fail("class_name", "must be \"Sequential\" or \"Functional\", the models Kiln builds");
        }
        JsonFields config = root.object("config");
        // Keras' model.trainable = False freezes every layer, whatever their own flags say.
        boolean modelTrainable = !config.has("trainable") || config.bool("trainable");
        JsonNode layerArray = config.raw("layers");
        if (!layerArray.isArray() || layerArray.isEmpty() || layerArray.size() > MAX_LAYERS) {
            throw config.fail("layers", "must be a non-empty array of at most " + MAX_LAYERS + " layers");
        }
        List<Layer> layers = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Boolean> trainable = new ArrayList<>();
        for (int i = 0; i < layerArray.size(); i++) {
            JsonFields layer = new JsonFields(layerArray.get(i), config.path() + ".layers[" + i + "]", root.source());
            layers.add(LayerConfigs.parseLayer(layer));
            JsonFields layerConfig = layer.object("config");
            String name = layerConfig.text("name");
            if (name.isBlank() || name.contains("/")) {
                // Keras refuses such names too; Kiln names a layer's weights <name>/<weight>.
                throw layerConfig.fail("name", "is '" + Abbreviated.name(name) + "'; a layer's name must be"
                        + " non-blank and without '/'");
            }
            names.add(name);
            trainable.add(modelTrainable && (!layerConfig.has("trainable") || layerConfig.bool("trainable")));
        }
        Connections connections = functional ? FunctionalConfigs.read(config, layers, names) : null;
        int inputWidth = 0;
        if (functional) {
            // Keras lists an input first; the model is built from its Inputs' shapes.
            inputWidth = ((InputLayer) layers.get(0)).width();
        } else if (root.has("build_config")) {
            JsonFields build = root.object("build_config");
            inputWidth = ConfigReader.batchShape(build, "input_shape").size();
        }
        if (!root.has("compile_config")) {
            throw root.fail("compile_config", "is missing: the model was saved without compile(); Kiln keeps the"
                    + " optimizer and loss with every model, so compile it before saving");
        }
        JsonFields compile = root.object("compile_config");
        Optimizer optimizer = OptimizerConfigs.parseOptimizer(compile.object("optimizer"));
        if (compile.has("weighted_metrics")
                && !(compile.raw("weighted_metrics").isArray() && compile.raw("weighted_metrics").isEmpty())) {
            throw compile.fail("weighted_metrics", "must be null: Kiln's metrics are unweighted");
        }
        if (connections != null && connections.outputs().size() > 1) {
            List<String> outputNames = connections.outputs().stream()
                    .map(place -> names.get(connections.layerAt().get(place))).toList();
            PerOutput perOutput = OutputCompileConfigs.parse(compile, outputNames);
            return new ModelConfig(kilnVersion, layers, names, inputWidth, optimizer, perOutput.losses().get(0),
                    perOutput.metrics().get(0), state, trainable, connections, perOutput);
        }
        Loss loss = LossConfigs.parseLoss(compile.raw("loss"), compile);
        // Keras writes null for a model compiled without metrics.
        List<Metric> metrics = compile.has("metrics") ? MetricConfigs.parseMetrics(compile.raw("metrics"), compile)
                : List.of();
        if (compile.has("loss_weights")
                && !(compile.raw("loss_weights").isArray() && compile.raw("loss_weights").isEmpty())) {
            throw compile.fail("loss_weights", "must be null for a model with one output");
        }
        return new ModelConfig(kilnVersion, layers, names, inputWidth, optimizer, loss, metrics, state, trainable,
                connections);
    }

    /** A step count: never negative, and small enough that training on from it cannot overflow. */
    private static long counter(JsonFields training, String field) throws ModelFormatException {
        long value = training.longValue(field, 0);
        if (value < 0 || value > CompiledGraph.MAX_ITERATIONS) {
            throw training.fail(field, "must be in [0, " + CompiledGraph.MAX_ITERATIONS + "], found " + value);
        }
        return value;
    }
}
