package dev.kiln;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.io.Abbreviated;
import dev.kiln.io.KerasArchive;
import dev.kiln.io.KerasWeights;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.io.SafeTensors;
import dev.kiln.optimizers.Optimizer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
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
        ModelFiles.requireSuffix(path, MODEL_SUFFIX, "save");
        CompiledGraph graph = model.compiledGraph();
        ModelConfig config = new ModelConfig(Kiln.VERSION, model.layers(), model.layerNames(), model.inputWidth(),
                model.optimizer(), model.loss(), model.metrics(),
                new ModelConfig.TrainingState(0, model.optimizer().learningRate(), 0, 0, 0));
        byte[] json = config.toKerasJson();
        try {
            ModelConfig.fromKerasJson(json, path.toString());
        } catch (ModelFormatException e) {
            throw new IllegalStateException("the model cannot be saved: Kiln could not read the file back ("
                    + e.getMessage() + ")", e);
        }
        byte[] weights = KerasWeights.encode(layerVariables(model, graph), optimizerState(model, graph));
        KerasArchive.write(path, metadata(), json, weights);
    }

    static Model load(Path path) throws IOException {
        return ModelFiles.read(path, MODEL_SUFFIX, KerasFiles::load);
    }

    /** Reads a .keras file of {@code size} bytes; {@code source} names it in messages. */
    static Model load(InputStream in, long size, String source) throws IOException {
        KerasArchive.Parts parts = KerasArchive.read(in, size, source);
        ModelConfig config = ModelConfig.fromKerasJson(parts.config(), source);
        String weightsSource = source + "!/" + KerasArchive.WEIGHTS_ENTRY;
        KerasWeights.Reader weights = KerasWeights.read(parts.weights(), weightsSource);
        ModelFiles.checkSizes(config, weights.layerValueCount(), weights.layerShapes(), KerasArchive.WEIGHTS_ENTRY,
                source);
        Model model;
        try {
            model = new Model(config.layers(), config.optimizer(), config.loss(), config.metrics());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(source, "the saved model cannot be rebuilt: " + e.getMessage(), e);
        }
        try {
            if (config.inputWidth() > 0) {
                try {
                    model.buildFor(config.inputWidth());
                } catch (IllegalArgumentException e) {
                    throw new ModelFormatException(source, "the saved model cannot be built for input width "
                            + config.inputWidth() + ": " + e.getMessage(), e);
                }
            }
            restore(model, weights, true, weightsSource);
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    // ---- weights alone --------------------------------------------------------------------------

    static void saveWeights(Model model, Path path) throws IOException {
        ModelFiles.requireSuffix(path, WEIGHTS_SUFFIX, "saveWeights");
        CompiledGraph graph = ModelFiles.requireBuilt(model);
        KerasWeights.write(path, layerVariables(model, graph), optimizerState(model, graph));
    }

    /**
     * Puts a Keras weights file's layer variables into the model, matched by position, or changes
     * nothing when they do not fit it. The optimizer's variables in the file are not restored (as
     * with a {@code .safetensors} file, the weights alone are loaded); {@link Model#load} restores them.
     */
    static void loadWeights(Model model, Path path) throws IOException {
        ModelFiles.requireSuffix(path, WEIGHTS_SUFFIX, "loadWeights");
        ModelFiles.requireBuilt(model);
        long size = Files.size(path);
        if (size > KerasArchive.MAX_WEIGHTS_BYTES) {
            throw new ModelFormatException(path.toString(), "holds " + size + " bytes; Kiln reads weights files of"
                    + " at most " + KerasArchive.MAX_WEIGHTS_BYTES);
        }
        KerasWeights.Reader weights = KerasWeights.read(Files.readAllBytes(path), path.toString());
        restore(model, weights, false, path.toString());
    }

    // ---- the two directions ---------------------------------------------------------------------

    private static Map<String, List<SafeTensors.Entry>> layerVariables(Model model, CompiledGraph graph) {
        Map<String, List<SafeTensors.Entry>> layers = new LinkedHashMap<>();
        if (graph == null) {
            return layers;
        }
        List<Parameter> params = graph.parameters();
        for (String name : model.layerNames()) {
            List<SafeTensors.Entry> vars = new ArrayList<>();
            for (int i : parametersOf(name, params)) {
                vars.add(new SafeTensors.Entry(params.get(i).shape(), graph.readParameter(i)));
            }
            layers.put(name, vars);
        }
        return layers;
    }

    /** The optimizer's variables in Keras' order; only the step count and rate when the model is not built. */
    private static KerasWeights.OptimizerState optimizerState(Model model, CompiledGraph graph) {
        Optimizer optimizer = model.optimizer();
        Float rate = optimizer.schedule() != null ? null
                : (float) (graph == null ? optimizer.learningRate() : graph.learningRate());
        List<SafeTensors.Entry> slots = new ArrayList<>();
        if (graph != null) {
            List<Parameter> params = graph.parameters();
            for (int[] at : slotOrder(optimizer, graph)) {
                slots.add(new SafeTensors.Entry(params.get(at[1]).shape(), graph.readSlot(at[0], at[1])));
            }
        }
        return new KerasWeights.OptimizerState(optimizer.name(), graph == null ? 0 : graph.iterations(), rate, slots);
    }

    /** (slot, parameter) pairs in the order Keras stores the optimizer's slots: trainable weights only. */
    private static List<int[]> slotOrder(Optimizer optimizer, CompiledGraph graph) {
        List<String> names = ModelFiles.slotNames(optimizer, graph);
        List<Parameter> params = graph.parameters();
        List<int[]> order = new ArrayList<>();
        for (List<String> set : optimizer.kerasSlotSets()) {
            for (int p = 0; p < params.size(); p++) {
                if (params.get(p).trainable()) {
                    for (String slot : set) {
                        order.add(new int[] {names.indexOf(slot), p});
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

    /**
     * Reads every variable the model needs from the file, checks all of them, and only then writes them
     * into the model: a file that does not fit changes nothing. The optimizer's variables are read when
     * {@code optimizerToo} and skipped otherwise.
     */
    private static void restore(Model model, KerasWeights.Reader file, boolean optimizerToo, String source)
            throws ModelFormatException {
        CompiledGraph graph = model.compiledGraph();
        if (graph == null) {
            if (file.layerValueCount() > 0) {
                throw new ModelFormatException(source, "the model was never built but the file holds weights");
            }
            return;
        }
        List<Parameter> params = graph.parameters();
        List<String> names = model.layerNames();
        float[][] values = new float[params.size()][];
        for (int l = 0; l < names.size(); l++) {
            List<Integer> mine = parametersOf(names.get(l), params);
            int inFile = file.layerVariableCount(names.get(l));
            if (inFile != mine.size()) {
                throw new ModelFormatException(source, "holds " + inFile + " variables for layer '" + names.get(l)
                        + "' (layers/" + names.get(l) + "/vars), but Kiln's " + model.layers().get(l).typeName()
                        + " there has " + mine.size());
            }
            for (int j = 0; j < mine.size(); j++) {
                Parameter p = params.get(mine.get(j));
                values[mine.get(j)] = file.layerVariable(names.get(l), j, p.shape());
                ModelFiles.requireValid(values[mine.get(j)], p.nonNegative(), p.name(), "weights", source);
            }
        }
        OptimizerValues optimizer = optimizerToo ? readOptimizer(model.optimizer(), graph, file, source) : null;
        List<String> left = file.unclaimed().stream()
                .filter(path -> optimizerToo || !path.startsWith("optimizer/")).toList();
        if (!left.isEmpty()) {
            throw new ModelFormatException(source, "holds " + Abbreviated.list(left) + ", which this model does not"
                    + " have (its layers are " + Abbreviated.list(names) + ")");
        }
        // Everything is checked; from here on nothing can fail.
        for (int i = 0; i < params.size(); i++) {
            graph.writeParameter(i, values[i]);
        }
        if (optimizer != null) {
            if (optimizer.slots != null) {
                List<int[]> order = slotOrder(model.optimizer(), graph);
                for (int k = 0; k < order.size(); k++) {
                    graph.writeSlot(order.get(k)[0], order.get(k)[1], optimizer.slots.get(k));
                }
            }
            graph.setIterations(optimizer.iterations);
            if (optimizer.learningRate != null) {
                graph.setLearningRate(optimizer.learningRate);
            }
        }
    }

    private record OptimizerValues(long iterations, Float learningRate, List<float[]> slots) {
    }

    /**
     * The step count, the rate and the slots, when the file has them; Keras saves an optimizer that has
     * not taken a step with its step count and rate alone.
     */
    private static OptimizerValues readOptimizer(Optimizer optimizer, CompiledGraph graph, KerasWeights.Reader file,
            String source) throws ModelFormatException {
        int count = file.optimizerVariableCount();
        if (count == 0) {
            return null;
        }
        int fixed = optimizer.schedule() == null ? 2 : 1;
        List<int[]> order = slotOrder(optimizer, graph);
        if (count != fixed && count != fixed + order.size()) {
            throw new ModelFormatException(source, "holds " + count + " optimizer variables; this model's "
                    + optimizer.getClass().getSimpleName() + " keeps " + (fixed + order.size()) + " (the step count, "
                    + (fixed == 2 ? "the learning rate, " : "") + "and " + order.size() + " slots)");
        }
        long iterations = file.optimizerCount(0);
        if (iterations > CompiledGraph.MAX_ITERATIONS) {
            throw new ModelFormatException(source, "optimizer/vars/0 (the step count) is " + iterations
                    + "; Kiln counts at most " + CompiledGraph.MAX_ITERATIONS);
        }
        Float rate = null;
        if (fixed == 2) {
            rate = file.optimizerScalar(1);
            if (!(rate >= 0) || Float.isInfinite(rate)) {
                throw new ModelFormatException(source, "optimizer/vars/1 (the learning rate) is " + rate
                        + "; it must be a finite number >= 0");
            }
        }
        if (count == fixed) {
            return new OptimizerValues(iterations, rate, null);
        }
        List<Parameter> params = graph.parameters();
        List<float[]> slots = new ArrayList<>();
        for (int k = 0; k < order.size(); k++) {
            int[] at = order.get(k);
            float[] values = file.optimizerVariable(fixed + k, params.get(at[1]).shape());
            ModelFiles.requireValid(values, graph.slotNonNegative(at[0]), "optimizer/vars/" + (fixed + k),
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
