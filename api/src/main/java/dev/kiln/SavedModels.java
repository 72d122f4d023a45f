package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.io.FileKind;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.io.Abbreviated;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.LayerCall;
import dev.kiln.layers.SymbolicTensor;
import dev.kiln.optimizers.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What Kiln's own files ({@link ModelFiles}: {@code .kiln}, {@code .safetensors}) and Keras' ({@link
 * KerasFiles}: {@code .keras}, {@code .weights.h5}) share: choosing the format by the file's name,
 * opening it, checking a config against the weights before anything is built, rebuilding the model,
 * and the checks every restored tensor passes.
 */
final class SavedModels {
    private SavedModels() {
    }

    /** The two ways a model or its weights are saved. */
    enum Format {
        KILN, KERAS
    }

    /**
     * The format a file name asks for: {@code kilnSuffix} or {@code kerasSuffix}; an
     * IllegalArgumentException naming both when it ends in neither.
     */
    static Format formatOf(Path path, String operation, String kilnSuffix, String kerasSuffix) {
        requirePath(path, operation);
        String name = path.getFileName() == null ? "" : path.getFileName().toString();
        if (name.endsWith(kerasSuffix)) {
            return Format.KERAS;
        }
        if (!name.endsWith(kilnSuffix)) {
            throw new IllegalArgumentException(operation + " needs a file name ending in " + kilnSuffix + " (Kiln's"
                    + " format) or " + kerasSuffix + " (Keras'), got " + path + contentNote(path, operation));
        }
        return Format.KILN;
    }

    /**
     * For a load: what the misnamed file holds and which method reads it ("; the file is an HDF5 file:
     * Model.loadWeights reads ..."), as the name alone did not say; empty for a save, a missing file or
     * one of no recognised kind.
     */
    private static String contentNote(Path path, String operation) {
        if (!operation.startsWith("load") || !Files.isRegularFile(path)) {
            return "";
        }
        try {
            FileKind kind = FileKind.of(path);
            return kind == FileKind.UNKNOWN ? "" : "; the file is " + kind.description() + ": " + kind.reader();
        } catch (IOException e) {
            return ""; // the read that follows reports the I/O problem itself
        }
    }

    static void requireSuffix(Path path, String suffix, String operation) {
        requirePath(path, operation);
        if (path.getFileName() == null || !path.getFileName().toString().endsWith(suffix)) {
            throw new IllegalArgumentException(operation + " needs a file name ending in " + suffix + ", got " + path);
        }
    }

    /** The path a string names, or an IllegalArgumentException naming the operation when it is null. */
    static Path path(String path, String operation) {
        if (path == null) {
            throw new IllegalArgumentException(operation + " needs a path, got null");
        }
        return Path.of(path);
    }

    private static void requirePath(Path path, String operation) {
        if (path == null) {
            throw new IllegalArgumentException(operation + " needs a path, got null");
        }
    }

    /** How a model is read from a stream of {@code size} bytes; {@code source} names it in messages. */
    @FunctionalInterface
    interface StreamLoader {
        Model load(InputStream in, long size, String source) throws IOException;
    }

    /** Opens a model file whose name must end in {@code suffix} and reads it with {@code loader}. */
    static Model read(Path path, String suffix, StreamLoader loader) throws IOException {
        requireSuffix(path, suffix, "load");
        requireKind(path, "a zip archive, as .kiln and .keras model files are", FileKind.ZIP);
        long size = Files.size(path);
        try (InputStream in = Files.newInputStream(path)) {
            return loader.load(in, size, path.toString());
        }
    }

    /**
     * Refuses a file whose first bytes show another known format than the reader's, saying what it is
     * and which method reads it; a file of no recognised format is left to the reader's own checks.
     */
    static void requireKind(Path path, String expected, FileKind... accepted) throws IOException {
        String otherKind = FileKind.mismatch(path, expected, accepted);
        if (otherKind != null) {
            throw new ModelFormatException(path.toString(), otherKind);
        }
    }

    /** How a config is parsed back, as its loader parses it. */
    @FunctionalInterface
    interface ConfigParser {
        ModelConfig parse(byte[] json, String source) throws ModelFormatException;
    }

    /**
     * Reads the config back with the loader's own checks before anything is written, so that save never
     * writes a file that load refuses (a name or a list beyond the reader's limits).
     */
    static void requireReadableBack(byte[] json, Path path, ConfigParser parser) {
        try {
            parser.parse(json, path.toString());
        } catch (ModelFormatException e) {
            throw new IllegalStateException("the model cannot be saved: Kiln could not read the file back ("
                    + e.getMessage() + ")", e);
        }
    }

    /**
     * Checks that the config's model holds the {@code inFile} weight values its weights {@code entry} holds,
     * before anything is built: a config claiming a billion units must not allocate them when the file holds
     * a hundred weights.
     */
    static void checkSizes(ModelConfig config, long inFile, String entry, String source)
            throws ModelFormatException {
        int width = config.inputWidth();
        if (!config.layers().isEmpty() && config.layers().get(0) instanceof InputLayer input
                && input.width() != width) {
            throw new ModelFormatException(source, "build_config says input width " + width
                    + " but the InputLayer says " + input.width());
        }
        long needed = parameterCount(config, source);
        if (needed != inFile) {
            throw new ModelFormatException(source, "config.json describes a model of "
                    + (needed < 0 ? "more than 2^63" : Long.toString(needed)) + " weights but "
                    + entry + " holds " + inFile);
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
        ExampleShapes shapes = exampleShapes(config, source);
        List<Integer> firstPlaces = firstPlaces(config, source);
        long needed = 0;
        try {
            for (int i = 0; i < config.layers().size(); i++) {
                needed = Math.addExact(needed, config.layers().get(i).parameterCount(shapes.input(firstPlaces.get(i))));
            }
        } catch (ArithmeticException e) {
            return -1;
        }
        return needed;
    }

    /**
     * For each layer of the config, its first place in {@link #topology}: where {@link #exampleShapes}
     * has what it receives (a shared layer's weights are sized by its first application).
     */
    static List<Integer> firstPlaces(ModelConfig config, String source) throws ModelFormatException {
        return topology(config, source).applications().stream().map(List::getFirst).toList();
    }

    /**
     * What each place of the config's {@link #topology} receives and gives, or a refusal when the layers
     * cannot be connected.
     */
    static ExampleShapes exampleShapes(ModelConfig config, String source) throws ModelFormatException {
        LayerGraph topology = topology(config, source);
        try {
            return ExampleShapes.of(topology, topology.perPlace(config.layerNames()), config.inputWidth());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "the saved model cannot be rebuilt: " + e.getMessage(), e);
        }
    }

    /**
     * Which layer of the config reads which: a chain for a Sequential; for a functional model the graph
     * its connections describe, whose layers must come in the order Keras gives them (the order its
     * files key the weights by), as every file Keras or Kiln writes has them.
     */
    static LayerGraph topology(ModelConfig config, String source) throws ModelFormatException {
        ModelConfig.Connections connections = config.connections();
        List<Layer> layers;
        try {
            layers = named(config);
        } catch (IllegalArgumentException e) { // a name a layer cannot take, e.g. a blank one
            throw new ModelFormatException(source, "the saved model cannot be rebuilt: " + e.getMessage(), e);
        }
        if (connections == null) {
            return LayerGraph.chain(layers);
        }
        List<SymbolicTensor> tensors = new ArrayList<>();
        for (int i = 0; i < connections.reads().size(); i++) {
            Layer layer = layers.get(connections.layerAt().get(i));
            int[] reads = connections.reads().get(i);
            if (reads.length == 0) {
                tensors.add((InputLayer) layer);
                continue;
            }
            List<SymbolicTensor> from = new ArrayList<>();
            for (int r : reads) {
                from.add(tensors.get(r));
            }
            tensors.add(new LayerCall(layer, from));
        }
        List<InputLayer> inputs = connections.inputs().stream()
                .map(i -> (InputLayer) layers.get(connections.layerAt().get(i))).toList();
        LayerGraph graph;
        try {
            graph = LayerGraph.functional(inputs, connections.outputs().stream().map(tensors::get).toList());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "the saved model cannot be rebuilt: " + e.getMessage(), e);
        }
        if (graph.layers().size() != connections.reads().size()) {
            throw new ModelFormatException(source, "config.json applies its layers " + connections.reads().size()
                    + " times, but only " + graph.layers().size() + " of these calls lead to the output"
                    + (connections.outputs().size() == 1 ? " '" + Abbreviated.name(config.layerNames().get(
                            connections.layerAt().get(connections.outputs().get(0)))) + "': every call must be connected"
                            + " to it" : "s: every call must be connected to one"));
        }
        List<Layer> ordered = graph.distinctLayers();
        for (int i = 0; i < layers.size(); i++) {
            if (i >= ordered.size() || ordered.get(i) != layers.get(i)) {
                throw new ModelFormatException(source, "config.json lists layer '" + Abbreviated.name(config.layerNames()
                        .get(i)) + "' at place " + i + ", but Keras orders this model's layers otherwise"
                        + (i < ordered.size() ? "" : " (the layer is not connected to the output)")
                        + "; its weights would be read from another layer's place");
            }
        }
        return graph;
    }

    /** What a loader puts into the rebuilt model from its file. */
    @FunctionalInterface
    interface Restorer {
        void restore(Model model) throws IOException;
    }

    /**
     * The model a checked config describes, built for its input width when it has one, with the file's
     * state put in by {@code restorer}; closed again, so nothing leaks, when that fails.
     */
    static Model rebuild(ModelConfig config, String source, Restorer restorer) throws IOException {
        Model model = rebuild(config, source);
        try {
            restorer.restore(model);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    /** A file's per-output compile settings as compile takes them; null for a model with one output. */
    private static OutputLosses outputLosses(ModelConfig.PerOutput perOutput) {
        if (perOutput == null) {
            return null;
        }
        return OutputLosses.of(perOutput.losses().toArray())
                .weights(perOutput.weights().stream().mapToDouble(Double::doubleValue).toArray())
                .metrics(perOutput.metrics().toArray(List[]::new));
    }

    private static Model rebuild(ModelConfig config, String source) throws ModelFormatException {
        Model model;
        try {
            model = config.connections() == null
                    ? new Model(named(config), config.trainable(), config.optimizer(), config.loss(), config.metrics())
                    : new Model(topology(config, source), config.trainable(), config.optimizer(), config.loss(),
                            config.metrics(), outputLosses(config.perOutput()));
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "the saved model cannot be rebuilt: " + e.getMessage(), e);
        }
        if (config.inputWidth() > 0) {
            try {
                model.buildFor(config.inputWidth());
            } catch (IllegalArgumentException e) {
                model.close();
                throw new ModelFormatException(source, "the saved model cannot be built for input width "
                        + config.inputWidth() + ": " + e.getMessage(), e);
            }
        }
        return model;
    }

    /** Each layer's trainable flag as the model has it now, for the layer configs a file holds. */
    static List<Boolean> trainableFlags(Model model) {
        List<Boolean> out = new ArrayList<>();
        for (boolean t : model.trainableFlags()) {
            out.add(t);
        }
        return out;
    }

    /** The config's layers under the names the file gives them (the Input keeps Kiln's own). */
    private static List<Layer> named(ModelConfig config) {
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i < config.layers().size(); i++) {
            Layer layer = config.layers().get(i);
            out.add(layer instanceof InputLayer ? layer : layer.named(config.layerNames().get(i)));
        }
        return out;
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
}
