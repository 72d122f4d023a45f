package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.io.Abbreviated;
import dev.kiln.io.KilnArchive;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.io.SafeTensors;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.Optimizer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
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
        SavedModels.requireSuffix(path, MODEL_SUFFIX, "save");
        CompiledGraph graph = model.compiledGraph();
        ModelConfig.TrainingState state = graph == null
                ? new ModelConfig.TrainingState(0, model.compiledOptimizer().learningRate(), model.seed(), 0, 0)
                : new ModelConfig.TrainingState(graph.iterations(), graph.learningRate(), model.seed(),
                        graph.dropoutSeed(), graph.dropoutStep());
        ModelConfig config = new ModelConfig(Kiln.VERSION, model.layerSpecs(), model.layerNames(), model.inputWidth(),
                model.compiledOptimizer(), model.loss(), model.metrics(), state, SavedModels.trainableFlags(model),
                model.connections(), model.perOutputConfig());
        byte[] json = config.toJson(); // refuses what has no saved form (a custom schedule) before any work
        SavedModels.requireReadableBack(json, path, ModelConfig::fromJson);
        Map<String, SafeTensors.Entry> tensors = weights(graph);
        if (graph != null) {
            List<String> slots = SavedModels.slotNames(model.compiledOptimizer(), graph);
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

    static Model load(Path path) throws IOException {
        return SavedModels.read(path, MODEL_SUFFIX, ModelFiles::load);
    }

    /** Reads a .kiln file of {@code size} bytes; {@code source} names it in messages. */
    static Model load(InputStream in, long size, String source) throws IOException {
        KilnArchive.Parts parts = KilnArchive.read(in, size, source);
        ModelConfig config = ModelConfig.fromJson(parts.config(), source);
        SafeTensors.Contents contents = SafeTensors.read(new ByteArrayInputStream(parts.weights()),
                parts.weights().length, source + "!/" + KilnArchive.WEIGHTS_ENTRY);
        checkSizes(config, contents, source);
        return SavedModels.rebuild(config, source, model -> restore(model, config, contents, source));
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
        SavedModels.checkSizes(config, inFile, KilnArchive.WEIGHTS_ENTRY, source);
    }

    private static void restore(Model model, ModelConfig config, SafeTensors.Contents contents, String source)
            throws ModelFormatException {
        ModelConfig.TrainingState state = config.state();
        model.restoreSeed(state.seed());
        if (config.inputWidth() == 0) {
            if (!contents.tensors().isEmpty()) {
                throw new ModelFormatException(source, "the model was never built but the file holds weights");
            }
            return;
        }
        CompiledGraph graph = model.compiledGraph();
        List<Parameter> params = graph.parameters();
        List<String> slots = SavedModels.slotNames(model.compiledOptimizer(), graph);
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
            SavedModels.requireValid(values.get(i), params.get(i).nonNegative(), expected.get(i), "weights", source);
        }
        for (int s = 0; s < slots.size(); s++) {
            for (int i = 0; i < params.size(); i++) {
                int at = (s + 1) * params.size() + i;
                SavedModels.requireValid(values.get(at), graph.slotNonNegative(s), expected.get(at), "optimizer state", source);
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
        SavedModels.requireSuffix(path, WEIGHTS_SUFFIX, "saveWeights");
        CompiledGraph graph = SavedModels.requireBuilt(model);
        SafeTensors.write(path, weights(graph), metadata(-1));
    }

    static void loadWeights(Model model, Path path) throws IOException {
        SavedModels.requireBuilt(model);
        loadWeights(model, SafeTensors.read(path), path.toString());
    }

    /** Puts the file's weights into the model, or changes nothing when they do not fit it. */
    static void loadWeights(Model model, SafeTensors.Contents contents, String source) throws ModelFormatException {
        List<Parameter> params = SavedModels.requireBuilt(model).parameters();
        List<String> names = params.stream().map(Parameter::name).toList();
        List<float[]> values = matchTensors(contents, names, params, source, true);
        for (int i = 0; i < params.size(); i++) {
            SavedModels.requireValid(values.get(i), params.get(i).nonNegative(), names.get(i), "weights", source);
        }
        model.setWeights(values);
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

}
