package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
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
                    + " format) or " + kerasSuffix + " (Keras'), got " + path);
        }
        return Format.KILN;
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
        long size = Files.size(path);
        try (InputStream in = Files.newInputStream(path)) {
            return loader.load(in, size, path.toString());
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

    /** What each layer of the config receives, or a refusal when the layers cannot be chained. */
    static ExampleShapes exampleShapes(ModelConfig config, String source) throws ModelFormatException {
        try {
            return ExampleShapes.of(config.layers(), config.layerNames(), config.inputWidth());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "the saved model cannot be rebuilt: " + e.getMessage(), e);
        }
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

    private static Model rebuild(ModelConfig config, String source) throws ModelFormatException {
        Model model;
        try {
            model = new Model(named(config), config.trainable(), config.optimizer(), config.loss(), config.metrics());
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
