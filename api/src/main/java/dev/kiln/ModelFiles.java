package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.io.Abbreviated;
import dev.kiln.io.KilnArchive;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.io.SafeTensors;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.Optimizer;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * {@link Model#save}, {@link Model#load}, {@link Model#saveWeights} and {@link Model#loadWeights}:
 * what goes into the files and how a model is rebuilt from them. The formats themselves live in
 * {@code dev.kiln.io}.
 *
 * <p>Weights are named as Keras names them ({@code dense/kernel}, {@code dense_1/bias}); the optimizer
 * state of a {@code .kiln} file sits beside them as {@code optimizer/<weight>/<slot>} with the
 * optimizer's own Keras slot names ({@link dev.kiln.optimizers.Optimizer#slotNames()}; Adam:
 * {@code momentum}, {@code velocity}).
 */
final class ModelFiles {
    static final String MODEL_SUFFIX = ".kiln";
    static final String WEIGHTS_SUFFIX = ".safetensors";
    private static final String OPTIMIZER_PREFIX = "optimizer/";

    private ModelFiles() {
    }

    // ---- whole model ----------------------------------------------------------------------------

    static void save(Model model, Path path) throws IOException {
        requireSuffix(path, MODEL_SUFFIX, "save");
        CompiledGraph graph = model.compiledGraph();
        ModelConfig.TrainingState state = graph == null
                ? new ModelConfig.TrainingState(0, model.optimizer().learningRate(), model.seed(), 0, 0)
                : new ModelConfig.TrainingState(graph.iterations(), graph.learningRate(), model.seed(),
                        graph.dropoutSeed(), graph.dropoutStep());
        ModelConfig config = new ModelConfig(Kiln.VERSION, model.layers(), model.layerNames(), model.inputWidth(),
                model.optimizer(), model.loss(), model.metrics(), state);
        byte[] json = config.toJson(); // refuses what has no saved form (a custom schedule) before any work
        requireReadableBack(json, path);
        Map<String, SafeTensors.Entry> tensors = weights(graph);
        if (graph != null) {
            List<String> slots = slotNames(model.optimizer(), graph);
            List<Parameter> params = graph.parameters();
            for (int s = 0; s < slots.size(); s++) {
                for (int i = 0; i < params.size(); i++) {
                    tensors.put(OPTIMIZER_PREFIX + params.get(i).name() + "/" + slots.get(s),
                            new SafeTensors.Entry(params.get(i).shape(), graph.readSlot(s, i)));
                }
            }
        }
        byte[] weights = SafeTensors.encode(tensors, metadata(state.iterations()));
        KilnArchive.write(path, json, weights);
    }

    /**
     * Reads the config back with the loader's own checks before anything is written, so that save never
     * writes a file that load refuses (a name or a list beyond the reader's limits).
     */
    private static void requireReadableBack(byte[] json, Path path) {
        try {
            ModelConfig.fromJson(json, path.toString());
        } catch (ModelFormatException e) {
            throw new IllegalStateException("the model cannot be saved: Kiln could not read the file back ("
                    + e.getMessage() + ")", e);
        }
    }

    static Model load(Path path) throws IOException {
        return read(path, MODEL_SUFFIX, ModelFiles::load);
    }

    /** How a model is read from a stream of {@code size} bytes; {@code source} names it in messages. */
    @FunctionalInterface
    interface StreamLoader {
        Model load(InputStream in, long size, String source) throws IOException;
    }

    /** Opens a model file whose name must end in {@code suffix} and reads it with {@code loader}. */
    static Model read(Path path, String suffix, StreamLoader loader) throws IOException {
        requireSuffix(path, suffix, "load");
        long size = Files.size(path);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(path), 1 << 16)) {
            return loader.load(in, size, path.toString());
        }
    }

    /** Reads a .kiln file of {@code size} bytes; {@code source} names it in messages. */
    static Model load(InputStream in, long size, String source) throws IOException {
        KilnArchive.Parts parts = KilnArchive.read(in, size, source);
        ModelConfig config = ModelConfig.fromJson(parts.config(), source);
        SafeTensors.Contents contents = SafeTensors.read(new ByteArrayInputStream(parts.weights()),
                parts.weights().length, source + "!/" + KilnArchive.WEIGHTS_ENTRY);
        checkSizes(config, contents, source);
        Model model;
        try {
            model = new Model(config.layers(), config.optimizer(), config.loss(), config.metrics());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "the saved model cannot be rebuilt: " + e.getMessage(), e);
        }
        try {
            restore(model, config, contents, source);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /**
     * Compares what the config will allocate with what the file holds, before anything is built: a
     * config claiming a billion units must not allocate them when the file holds a hundred weights.
     */
    private static void checkSizes(ModelConfig config, SafeTensors.Contents contents, String source)
            throws ModelFormatException {
        long inFile = 0;
        for (Map.Entry<String, SafeTensors.Entry> e : contents.tensors().entrySet()) {
            if (!e.getKey().startsWith(OPTIMIZER_PREFIX)) {
                inFile += e.getValue().values().length;
            }
        }
        checkSizes(config, inFile, KilnArchive.WEIGHTS_ENTRY, source);
    }

    /** Checks that the config's model holds the {@code inFile} weight values its weights {@code entry} holds. */
    static void checkSizes(ModelConfig config, long inFile, String entry, String source)
            throws ModelFormatException {
        checkSizes(config, inFile, null, entry, source);
    }

    /**
     * As {@link #checkSizes(ModelConfig, long, String, String)}; when they differ and {@code shapesInFile}
     * gives the shapes of each layer's variables in the file (by the layer's automatic name), the refusal
     * names the first layer whose values differ and the variables the file holds for it.
     */
    static void checkSizes(ModelConfig config, long inFile, Map<String, List<int[]>> shapesInFile, String entry,
            String source) throws ModelFormatException {
        int width = config.inputWidth();
        if (!config.layers().isEmpty() && config.layers().get(0) instanceof InputLayer input
                && input.width() != width) {
            throw new ModelFormatException(source, "build_config says input width " + width
                    + " but the InputLayer says " + input.width());
        }
        long needed = parameterCount(config, source);
        if (needed != inFile && shapesInFile != null) {
            explainLayerSizes(config, shapesInFile, entry, source);
        }
        if (needed != inFile) {
            throw new ModelFormatException(source, "config.json describes a model of "
                    + (needed < 0 ? "more than 2^63" : Long.toString(needed)) + " weights but "
                    + entry + " holds " + inFile);
        }
    }

    /** Refuses the file naming the first layer whose weight count in the config differs from the file's. */
    private static void explainLayerSizes(ModelConfig config, Map<String, List<int[]>> shapesInFile, String entry,
            String source) throws ModelFormatException {
        ExampleShapes shapes;
        try {
            shapes = ExampleShapes.of(config.layers(), config.layerNames(), config.inputWidth());
        } catch (IllegalArgumentException e) {
            return; // parameterCount has refused it already
        }
        List<String> names = Model.automaticNames(config.layers());
        for (int i = 0; i < names.size(); i++) {
            Layer layer = config.layers().get(i);
            long needed;
            try {
                needed = layer.parameterCount(shapes.input(i));
            } catch (ArithmeticException e) {
                needed = -1;
            }
            List<int[]> held = shapesInFile.getOrDefault(names.get(i), List.of());
            long inFile = 0;
            List<String> variables = new ArrayList<>();
            for (int v = 0; v < held.size(); v++) {
                variables.add(v + " " + Arrays.toString(held.get(v)));
                try {
                    long values = 1;
                    for (int d : held.get(v)) {
                        values = Math.multiplyExact(values, d);
                    }
                    inFile = inFile < 0 ? inFile : Math.addExact(inFile, values);
                } catch (ArithmeticException e) {
                    inFile = -1;
                }
            }
            if (needed != inFile) {
                throw new ModelFormatException(source, entry + " holds " + (inFile < 0 ? "more than 2^63"
                        : Long.toString(inFile)) + " weights for layer " + i + ", '" + names.get(i) + "' (layers/"
                        + names.get(i) + "/vars: " + (variables.isEmpty() ? "no variables"
                        : Abbreviated.list(variables)) + "), but config.json's " + layer.typeName() + " there has "
                        + (needed < 0 ? "more than 2^63" : Long.toString(needed))
                        + ": the file's variables and the config's layer do not match");
            }
        }
    }

    /**
     * How many values the config's layers hold once built, -1 beyond 2^63; 0 when the config gives no
     * input width. Computed from the config alone, so a file can be checked before anything is allocated.
     */
    static long parameterCount(ModelConfig config, String source) throws ModelFormatException {
        int width = config.inputWidth();
        if (width == 0) {
            return 0;
        }
        ExampleShapes shapes;
        try {
            shapes = ExampleShapes.of(config.layers(), config.layerNames(), width);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "the saved model cannot be rebuilt: " + e.getMessage(), e);
        }
        long needed = 0;
        try {
            for (int i = 0; i < config.layers().size(); i++) {
                needed = Math.addExact(needed, config.layers().get(i).parameterCount(shapes.input(i)));
            }
        } catch (ArithmeticException e) {
            return -1;
        }
        return needed;
    }

    private static void restore(Model model, ModelConfig config, SafeTensors.Contents contents, String source)
            throws ModelFormatException {
        List<String> names = model.layerNames();
        for (int i = 0; i < names.size(); i++) {
            if (!config.layerNames().get(i).equals(names.get(i))) {
                throw new ModelFormatException(source, "layer " + i + " is named '"
                        + Abbreviated.name(config.layerNames().get(i)) + "' in the file, but this Kiln names that"
                        + " layer '" + names.get(i) + "' and its weights after it");
            }
        }
        ModelConfig.TrainingState state = config.state();
        model.restoreSeed(state.seed());
        if (config.inputWidth() == 0) {
            if (!contents.tensors().isEmpty()) {
                throw new ModelFormatException(source, "the model was never built but the file holds weights");
            }
            return;
        }
        try {
            model.buildFor(config.inputWidth());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "the saved model cannot be built for input width "
                    + config.inputWidth() + ": " + e.getMessage(), e);
        }
        CompiledGraph graph = model.compiledGraph();
        List<Parameter> params = graph.parameters();
        List<String> slots = slotNames(model.optimizer(), graph);
        List<String> expected = new ArrayList<>();
        params.forEach(p -> expected.add(p.name()));
        for (String slot : slots) {
            params.forEach(p -> expected.add(OPTIMIZER_PREFIX + p.name() + "/" + slot));
        }
        List<Parameter> shapes = new ArrayList<>(params);
        for (int s = 0; s < slots.size(); s++) {
            shapes.addAll(params);
        }
        List<float[]> values = matchTensors(contents, expected, shapes, source, false);
        for (int i = 0; i < params.size(); i++) {
            requireValid(values.get(i), params.get(i).nonNegative(), expected.get(i), "weights", source);
        }
        for (int s = 0; s < slots.size(); s++) {
            for (int i = 0; i < params.size(); i++) {
                int at = (s + 1) * params.size() + i;
                requireValid(values.get(at), graph.slotNonNegative(s), expected.get(at), "optimizer state", source);
            }
        }
        long iterations = state.iterations();
        String metaIterations = contents.metadata().get("optimizer.iterations");
        if (metaIterations != null && !metaIterations.equals(Long.toString(iterations))) {
            throw new ModelFormatException(source, "config.json says " + iterations
                    + " optimizer iterations but model.safetensors says " + metaIterations);
        }
        // Everything is checked; from here on nothing can fail.
        for (int i = 0; i < params.size(); i++) {
            graph.writeParameter(i, values.get(i));
        }
        for (int s = 0; s < slots.size(); s++) {
            for (int i = 0; i < params.size(); i++) {
                graph.writeSlot(s, i, values.get((s + 1) * params.size() + i));
            }
        }
        graph.setIterations(iterations);
        graph.setLearningRate((float) state.learningRate());
        graph.restoreDropout(state.dropoutSeed(), state.dropoutStep());
    }

    // ---- weights alone --------------------------------------------------------------------------

    static void saveWeights(Model model, Path path) throws IOException {
        requireSuffix(path, WEIGHTS_SUFFIX, "saveWeights");
        CompiledGraph graph = requireBuilt(model);
        SafeTensors.write(path, weights(graph), metadata(-1));
    }

    static void loadWeights(Model model, Path path) throws IOException {
        requireBuilt(model);
        loadWeights(model, SafeTensors.read(path), path.toString());
    }

    /** Puts the file's weights into the model, or changes nothing when they do not fit it. */
    static void loadWeights(Model model, SafeTensors.Contents contents, String source) throws ModelFormatException {
        List<Parameter> params = requireBuilt(model).parameters();
        List<String> names = params.stream().map(Parameter::name).toList();
        List<float[]> values = matchTensors(contents, names, params, source, true);
        for (int i = 0; i < params.size(); i++) {
            requireValid(values.get(i), params.get(i).nonNegative(), names.get(i), "weights", source);
        }
        model.setWeights(values);
    }

    /**
     * Refuses a tensor holding NaN or ±∞, or a negative value where the maths needs one >= 0 (a moving
     * variance, Adam's second moment): restored as it is, it would turn every weight NaN at the next step.
     */
    static void requireValid(float[] values, boolean nonNegative, String name, String what, String source)
            throws ModelFormatException {
        int bad = Parameter.firstInvalid(values, nonNegative);
        if (bad >= 0) {
            throw new ModelFormatException(source, "tensor '" + name + "' element " + bad + " is " + values[bad]
                    + ": " + what + (nonNegative ? " here must be finite numbers >= 0" : " must be finite numbers"));
        }
    }

    // ---- helpers --------------------------------------------------------------------------------

    private static Map<String, SafeTensors.Entry> weights(CompiledGraph graph) {
        Map<String, SafeTensors.Entry> tensors = new LinkedHashMap<>();
        if (graph != null) {
            List<Parameter> params = graph.parameters();
            for (int i = 0; i < params.size(); i++) {
                tensors.put(params.get(i).name(), new SafeTensors.Entry(params.get(i).shape(), graph.readParameter(i)));
            }
        }
        return tensors;
    }

    private static Map<String, String> metadata(long iterations) {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "kiln");
        meta.put("kiln_version", Kiln.VERSION);
        if (iterations >= 0) {
            meta.put("optimizer.iterations", Long.toString(iterations));
        }
        return meta;
    }

    /**
     * The values of {@code names}, in order, each checked against its parameter's shape. Extra tensors
     * are refused, except optimizer state when {@code ignoreOptimizer} (weights read from a .kiln's
     * inner file).
     */
    private static List<float[]> matchTensors(SafeTensors.Contents contents, List<String> names,
            List<Parameter> shapes, String source, boolean ignoreOptimizer) throws ModelFormatException {
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            SafeTensors.Entry e = contents.tensors().get(names.get(i));
            if (e == null) {
                throw new ModelFormatException(source, "has no tensor '" + names.get(i) + "'; the model needs "
                        + Abbreviated.list(names) + " and the file holds "
                        + Abbreviated.list(new TreeSet<>(contents.tensors().keySet())));
            }
            int[] want = shapes.get(i).shape();
            if (!Arrays.equals(e.shape(), want)) {
                throw new ModelFormatException(source, "tensor '" + names.get(i) + "' has shape "
                        + Arrays.toString(e.shape()) + " but the model's is " + Arrays.toString(want));
            }
            out.add(e.values());
        }
        Set<String> known = new HashSet<>(names);
        for (String name : contents.tensors().keySet()) {
            if (!known.contains(name) && !(ignoreOptimizer && name.startsWith(OPTIMIZER_PREFIX))) {
                throw new ModelFormatException(source, "holds tensor '" + Abbreviated.name(name) + "', which this"
                        + " model does not have; the model's weights are " + Abbreviated.list(names));
            }
        }
        return out;
    }

    /** Keras' names for the optimizer's per-weight state, one per slot the compiled graph keeps. */
    static List<String> slotNames(Optimizer optimizer, CompiledGraph graph) {
        List<String> names = optimizer.slotNames();
        if (names.size() != graph.optimizerSlots()) {
            throw new IllegalStateException("optimizer " + optimizer.name() + " names " + names.size()
                    + " slots but its update rule keeps " + graph.optimizerSlots());
        }
        return names;
    }

    static CompiledGraph requireBuilt(Model model) {
        CompiledGraph graph = model.compiledGraph();
        if (graph == null) {
            throw new IllegalStateException("the model is not built yet, so it has no weights: add an Input layer"
                    + " or call fit/predict first");
        }
        return graph;
    }

    /** The path a string names, or an IllegalArgumentException naming the operation when it is null. */
    static Path path(String path, String operation) {
        if (path == null) {
            throw new IllegalArgumentException(operation + " needs a path, got null");
        }
        return Path.of(path);
    }

    /**
     * True when the path names Keras' form of a file ({@code kerasSuffix}), false for Kiln's; an
     * IllegalArgumentException naming both when it names neither.
     */
    static boolean isKeras(Path path, String operation, String kilnSuffix, String kerasSuffix) {
        if (path == null) {
            throw new IllegalArgumentException(operation + " needs a path, got null");
        }
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.endsWith(kerasSuffix)) {
            return true;
        }
        if (!name.endsWith(kilnSuffix)) {
            throw new IllegalArgumentException(operation + " needs a file name ending in " + kilnSuffix + " (Kiln's"
                    + " format) or " + kerasSuffix + " (Keras'), got " + path);
        }
        return false;
    }

    static void requireSuffix(Path path, String suffix, String operation) {
        if (path == null) {
            throw new IllegalArgumentException(operation + " needs a path, got null");
        }
        if (path.getFileName() == null || !path.getFileName().toString().endsWith(suffix)) {
            throw new IllegalArgumentException(operation + " needs a file name ending in " + suffix + ", got " + path);
        }
    }
}
