package dev.kiln;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.io.FileKind;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.io.Abbreviated;
import dev.kiln.io.KerasArchive;
import dev.kiln.io.KerasWeights;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.io.SafeTensors;
import dev.kiln.layers.Layer;
import dev.kiln.optimizers.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keras 3's own files: {@code .keras} (a whole model, {@link KerasArchive}) and {@code .weights.h5}
 * (its weights, {@link KerasWeights}), read and written by {@link Model#load}, {@link Model#save},
 * {@link Model#loadWeights} and {@link Model#saveWeights} when the file name ends so.
 *
 * <p>Keras files key a layer's variables by its class and its place among the model's layers of that
 * class, not by the name it was given: {@code layers/dense/vars/0} is the first Dense layer's kernel,
 * {@code layers/dense_1/vars/1} the second one's bias. Kiln names its layers by the same rule, so the
 * file's groups are its layer names. The optimizer's variables are the step count, the
 * learning rate (unless a schedule gives it) and the slots in the order of
 * {@link Optimizer#kerasSlotSets()} over the trainable weights, so that {@code fit} goes on where the
 * other side stopped. What Kiln cannot keep in Keras' layout: its own seeds for shuffling and dropout
 * (a loaded model draws new ones), and layer names (Kiln names its layers itself).
 */
final class KerasFiles {
    static final String MODEL_SUFFIX = ".keras";
    static final String WEIGHTS_SUFFIX = ".weights.h5";
    /** The Keras release whose file layout Kiln writes and whose files it was checked against. */
    static final String KERAS_LAYOUT_VERSION = "3.15.1";

    private KerasFiles() {
    }

    // ---- whole model ----------------------------------------------------------------------------

    static void save(Model model, Path path) throws IOException {
        SavedModels.requireSuffix(path, MODEL_SUFFIX, "save");
        CompiledGraph graph = model.compiledGraph();
        // Keras keeps the training state in the optimizer's variables, not in the config.
        ModelConfig config = new ModelConfig(Kiln.VERSION, model.layerSpecs(), model.layerNames(), model.inputWidth(),
                model.compiledOptimizer(), model.loss(), model.metrics(), null, SavedModels.trainableFlags(model),
                model.connections(), model.perOutputConfig());
        byte[] json = config.toKerasJson();
        SavedModels.requireReadableBack(json, path, ModelConfig::fromKerasJson);
        byte[] weights = KerasWeights.encode(layerVariables(model, graph), optimizerState(model, graph));
        KerasArchive.write(path, metadata(), json, weights);
    }

    static Model load(Path path) throws IOException {
        return SavedModels.read(path, MODEL_SUFFIX, KerasFiles::load);
    }

    /** Reads a .keras file of {@code size} bytes; {@code source} names it in messages. */
    static Model load(InputStream in, long size, String source) throws IOException {
        KerasArchive.Parts parts = KerasArchive.read(in, size, source);
        ModelConfig config = ModelConfig.fromKerasJson(parts.config(), source);
        String weightsSource = source + "!/" + KerasArchive.WEIGHTS_ENTRY;
        KerasWeights.Reader weights = KerasWeights.read(parts.weights(), weightsSource);
        requireLayerSizes(config, weights, source);
        SavedModels.checkSizes(config, weights.layerValueCount(), KerasArchive.WEIGHTS_ENTRY, source);
        return SavedModels.rebuild(config, source, model -> {
            Restored restored = readLayers(model, weights, weightsSource);
            OptimizerValues optimizer = readOptimizer(model.compiledOptimizer(), model.compiledGraph(), weights,
                    weightsSource);
            requireAllClaimed(model, weights, true, weightsSource);
            restored.write(model);
            if (optimizer != null) {
                optimizer.write(model.compiledOptimizer(), model.compiledGraph());
            }
        });
    }

    /**
     * Refuses a file whose layer variables do not hold what the config's layers need, naming the first
     * layer that differs and the variables the file has for it, before the model is built.
     */
    private static void requireLayerSizes(ModelConfig config, KerasWeights.Reader file, String source)
            throws ModelFormatException {
        if (config.inputWidth() == 0) {
            return; // SavedModels.checkSizes refuses a never-built model that comes with weights
        }
        ExampleShapes shapes = SavedModels.exampleShapes(config, source);
        List<Integer> firstPlaces = SavedModels.firstPlaces(config, source);
        Map<String, List<int[]>> inFile = file.layerShapes();
        List<String> names = Model.automaticNames(config.layers());
        for (int i = 0; i < names.size(); i++) {
            Layer layer = config.layers().get(i);
            long needed;
            try {
                needed = layer.parameterCount(shapes.input(firstPlaces.get(i)));
            } catch (ArithmeticException e) {
                needed = -1;
            }
            List<int[]> held = inFile.getOrDefault(names.get(i), List.of());
            long values = 0;
            List<String> variables = new ArrayList<>();
            for (int v = 0; v < held.size(); v++) {
                variables.add(v + " " + Arrays.toString(held.get(v)));
                values = values < 0 ? values : valuesOf(held.get(v), values);
            }
            if (needed != values) {
                throw new ModelFormatException(source, KerasArchive.WEIGHTS_ENTRY + " holds "
                        + (values < 0 ? "more than 2^63" : Long.toString(values)) + " weights for layer " + i + ", '"
                        + names.get(i) + "' (layers/" + names.get(i) + "/vars: " + (variables.isEmpty()
                        ? "no variables" : Abbreviated.list(variables)) + "), but config.json's " + layer.typeName()
                        + " there has " + (needed < 0 ? "more than 2^63" : Long.toString(needed))
                        + ": the file's variables and the config's layer do not match");
            }
        }
    }

    /** {@code sum} plus the values a shape holds, -1 beyond 2^63. */
    private static long valuesOf(int[] shape, long sum) {
        try {
            long values = 1;
            for (int d : shape) {
                values = Math.multiplyExact(values, d);
            }
            return Math.addExact(sum, values);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    // ---- weights alone --------------------------------------------------------------------------

    static void saveWeights(Model model, Path path) throws IOException {
        SavedModels.requireSuffix(path, WEIGHTS_SUFFIX, "saveWeights");
        CompiledGraph graph = SavedModels.requireBuilt(model);
        KerasWeights.write(path, layerVariables(model, graph), optimizerState(model, graph));
    }

    /**
     * Puts a Keras weights file's layer variables into the model, or changes nothing when they do not fit
     * it. The optimizer's variables in the file are not restored (as with a {@code .safetensors} file,
     * the weights alone are loaded); {@link Model#load} of a {@code .keras} file restores them.
     */
    static void loadWeights(Model model, Path path) throws IOException {
        SavedModels.requireSuffix(path, WEIGHTS_SUFFIX, "loadWeights");
        SavedModels.requireBuilt(model);
        SavedModels.requireKind(path, "an HDF5 file, as Keras' .weights.h5 files are", FileKind.HDF5);
        long size = Files.size(path);
        if (size > KerasWeights.MAX_FILE_BYTES) {
            throw new ModelFormatException(path.toString(), "holds " + size + " bytes; Kiln reads weights files of"
                    + " at most " + KerasWeights.MAX_FILE_BYTES);
        }
        String source = path.toString();
        KerasWeights.Reader weights = KerasWeights.read(Files.readAllBytes(path), source);
        Restored restored = readLayers(model, weights, source);
        requireAllClaimed(model, weights, false, source);
        restored.write(model);
    }

    // ---- the two directions ---------------------------------------------------------------------

    private static Map<String, List<SafeTensors.Entry>> layerVariables(Model model, CompiledGraph graph) {
        Map<String, List<SafeTensors.Entry>> layers = new LinkedHashMap<>();
        if (graph == null) {
            return layers;
        }
        List<Parameter> params = graph.parameters();
        // Keras keys a layer's variables by its class and place (weightKeys), whatever its name.
        for (int l = 0; l < model.layerNames().size(); l++) {
            List<SafeTensors.Entry> vars = new ArrayList<>();
            for (int i : parametersOf(model.layerNames().get(l), params)) {
                vars.add(new SafeTensors.Entry(params.get(i).shape(), graph.readParameter(i)));
            }
            layers.put(model.weightKeys().get(l), vars);
        }
        return layers;
    }

    /** The optimizer's variables in Keras' order; only the step count and rate when the model is not built. */
    private static KerasWeights.OptimizerState optimizerState(Model model, CompiledGraph graph) {
        Optimizer optimizer = model.compiledOptimizer();
        Float rate = optimizer.schedule() != null ? null
                : (float) (graph == null ? optimizer.learningRate() : graph.learningRate());
        List<SafeTensors.Entry> slots = new ArrayList<>();
        if (graph != null) {
            List<Parameter> params = graph.parameters();
            for (SlotOf at : slotOrder(optimizer, graph)) {
                slots.add(new SafeTensors.Entry(params.get(at.parameter).shape(),
                        graph.readSlot(at.slot, at.parameter)));
            }
        }
        return new KerasWeights.OptimizerState(optimizer.name(), graph == null ? 0 : graph.iterations(), rate, slots);
    }

    /** Slot {@code slot} of parameter {@code parameter}, in the compiled graph's numbering. */
    private record SlotOf(int slot, int parameter) {
    }

    /** The slots in the order Keras stores them: each of the optimizer's slot sets over the trainable weights. */
    private static List<SlotOf> slotOrder(Optimizer optimizer, CompiledGraph graph) {
        List<String> names = SavedModels.slotNames(optimizer, graph);
        List<String> covered = optimizer.kerasSlotSets().stream().flatMap(List::stream).sorted().toList();
        if (!covered.equals(names.stream().sorted().toList())) {
            throw new IllegalStateException(optimizer.getClass().getSimpleName() + "'s kerasSlotSets "
                    + optimizer.kerasSlotSets() + " must name each of its slots " + names + " once");
        }
        List<Parameter> params = graph.parameters();
        List<SlotOf> order = new ArrayList<>();
        for (List<String> set : optimizer.kerasSlotSets()) {
            for (int p = 0; p < params.size(); p++) {
                if (params.get(p).trainable()) {
                    for (String slot : set) {
                        order.add(new SlotOf(names.indexOf(slot), p));
                    }
                }
            }
        }
        return order;
    }

    /** The indexes of a layer's parameters ({@code dense/kernel}, {@code dense/bias}), in order. */
    private static List<Integer> parametersOf(String layer, List<Parameter> params) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).name().startsWith(layer + "/")) {
                out.add(i);
            }
        }
        return out;
    }

    /** The layers' variables read and checked, to be written into the model once the whole file passed. */
    private record Restored(float[][] values) {
        void write(Model model) {
            CompiledGraph graph = model.compiledGraph();
            for (int i = 0; values != null && i < values.length; i++) {
                graph.writeParameter(i, values[i]);
            }
        }
    }

    /** Every layer's variables, matched by the layers' keys, each checked for its shape and values. */
    private static Restored readLayers(Model model, KerasWeights.Reader file, String source)
            throws ModelFormatException {
        CompiledGraph graph = model.compiledGraph();
        if (graph == null) {
            if (file.layerValueCount() > 0) {
                throw new ModelFormatException(source, "the model was never built but the file holds weights");
            }
            return new Restored(null);
        }
        List<Parameter> params = graph.parameters();
        List<String> names = model.layerNames();
        List<String> keys = model.weightKeys();
        float[][] values = new float[params.size()][];
        for (int l = 0; l < names.size(); l++) {
            List<Integer> mine = parametersOf(names.get(l), params);
            int inFile = file.layerVariableCount(keys.get(l));
            if (inFile != mine.size()) {
                throw new ModelFormatException(source, "holds " + inFile + " variables for layer '" + names.get(l)
                        + "' (layers/" + keys.get(l) + "/vars), but Kiln's " + model.layerSpecs().get(l).typeName()
                        + " there has " + mine.size());
            }
            for (int j = 0; j < mine.size(); j++) {
                Parameter p = params.get(mine.get(j));
                values[mine.get(j)] = file.layerVariable(keys.get(l), j, p.shape());
                SavedModels.requireValid(values[mine.get(j)], p.nonNegative(),
                        "layers/" + keys.get(l) + "/vars/" + j, "weights", source);
            }
        }
        return new Restored(values);
    }

    /**
     * Refuses a file holding datasets the model did not claim: a layer it does not have, a variable too
     * many, and with {@code optimizerClaimed} false anything but the optimizer's (which loadWeights skips).
     */
    private static void requireAllClaimed(Model model, KerasWeights.Reader file, boolean optimizerClaimed,
            String source) throws ModelFormatException {
        List<String> left = file.unclaimed().stream()
                .filter(path -> optimizerClaimed || !path.startsWith("optimizer/")).toList();
        if (!left.isEmpty()) {
            throw new ModelFormatException(source, "holds " + Abbreviated.list(left) + ", which this model does not"
                    + " have (its layers are " + Abbreviated.list(model.weightKeys()) + ")");
        }
    }

    /** The optimizer's state read and checked, to be written into the model once the whole file passed. */
    private record OptimizerValues(long iterations, Float learningRate, List<float[]> slots) {
        void write(Optimizer optimizer, CompiledGraph graph) {
            if (slots != null) {
                List<SlotOf> order = slotOrder(optimizer, graph);
                for (int k = 0; k < order.size(); k++) {
                    graph.writeSlot(order.get(k).slot, order.get(k).parameter, slots.get(k));
                }
            }
            graph.setIterations(iterations);
            if (learningRate != null) {
                graph.setLearningRate(learningRate);
            }
        }
    }

    /**
     * The step count, the rate and the slots, when the file has them; Keras saves an optimizer that has
     * not taken a step with its step count and rate alone, and so does Kiln a model never built
     * ({@code graph} null), whose optimizer can hold nothing else.
     */
    private static OptimizerValues readOptimizer(Optimizer optimizer, CompiledGraph graph, KerasWeights.Reader file,
            String source) throws ModelFormatException {
        int count = file.optimizerVariableCount();
        if (count == 0) {
            return null;
        }
        int scalars = optimizer.schedule() == null ? 2 : 1; // the step count, and the rate unless scheduled
        List<SlotOf> order = graph == null ? List.of() : slotOrder(optimizer, graph);
        if (count != scalars && count != scalars + order.size()) {
            throw new ModelFormatException(source, "holds " + count + " optimizer variables; this model's "
                    + optimizer.getClass().getSimpleName() + " keeps " + (scalars + order.size()) + " (the step count, "
                    + (scalars == 2 ? "the learning rate, " : "") + "and " + order.size() + " slots)");
        }
        long iterations = file.optimizerCount(0);
        if (iterations > CompiledGraph.MAX_ITERATIONS) {
            throw new ModelFormatException(source, "optimizer/vars/0 (the step count) is " + iterations
                    + "; Kiln counts at most " + CompiledGraph.MAX_ITERATIONS);
        }
        Float rate = null;
        if (scalars == 2) {
            rate = file.optimizerScalar(1);
            if (!(rate >= 0) || Float.isInfinite(rate)) {
                throw new ModelFormatException(source, "optimizer/vars/1 (the learning rate) is " + rate
                        + "; it must be a finite number >= 0");
            }
        }
        if (graph == null) {
            if (iterations != 0) {
                throw new ModelFormatException(source, "optimizer/vars/0 says " + iterations + " steps were taken,"
                        + " but the model was never built");
            }
            return null;
        }
        if (count == scalars) {
            return new OptimizerValues(iterations, rate, null);
        }
        List<Parameter> params = graph.parameters();
        List<float[]> slots = new ArrayList<>();
        for (int k = 0; k < order.size(); k++) {
            SlotOf at = order.get(k);
            float[] values = file.optimizerVariable(scalars + k, params.get(at.parameter).shape());
            SavedModels.requireValid(values, graph.slotNonNegative(at.slot), "optimizer/vars/" + (scalars + k),
                    "optimizer state", source);
            slots.add(values);
        }
        return new OptimizerValues(iterations, rate, slots);
    }

    private static byte[] metadata() {
        ObjectNode meta = JsonNodeFactory.instance.objectNode();
        meta.put("keras_version", KERAS_LAYOUT_VERSION);
        meta.put("kiln_version", Kiln.VERSION);
        meta.put("date_saved", LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd@HH:mm:ss")));
        return meta.toString().getBytes(StandardCharsets.UTF_8);
    }
}
