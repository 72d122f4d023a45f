package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.memory.Shape;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A functional model's {@code config} in Keras 3's layout: each layer entry carries its {@code name} and
 * {@code inbound_nodes} (the tensors it was applied to, each a {@code __keras_tensor__} naming the layer
 * that made it in {@code keras_history} as [layer, node index, 0]), and the model lists its
 * {@code input_layers} and {@code output_layers}. Layers come in the order Keras lists a functional
 * model's layers, each once; a layer applied several times (shared) has an inbound node per application,
 * and a tensor it gave names the application by its node index.
 *
 * <pre>{@code
 * {"class_name": "Add", "name": "add", "config": {...},
 *  "inbound_nodes": [{"args": [[{"class_name": "__keras_tensor__",
 *      "config": {"shape": [null, 8], "dtype": "float32", "keras_history": ["dense", 0, 0]}}, ...]],
 *      "kwargs": {}}]}
 * }</pre>
 */
final class FunctionalConfigs {
    static final String CLASS_NAME = "Functional";
    private static final String TENSOR = "__keras_tensor__";

    private FunctionalConfigs() {
    }

    /**
     * Writes {@code config}'s layers, inputs and output; {@code connections} says which layer reads which.
     * A shared layer is written once, with an inbound node per application.
     */
    static void write(ObjectNode config, List<Layer> layers, List<String> names, List<Boolean> trainable,
            ModelConfig.Connections connections) {
        List<Shape> shapes = outputShapes(layers, connections);
        List<Integer> layerAt = connections.layerAt();
        ArrayNode layerArray = config.putArray("layers");
        for (int l = 0; l < layers.size(); l++) {
            ObjectNode entry = LayerConfigs.layer(layers.get(l), names.get(l), trainable.get(l));
            if (!entry.has("registered_name")) { // a custom layer's carries its registered name
                entry.putNull("registered_name");
            }
            entry.put("name", names.get(l));
            ArrayNode inbound = entry.putArray("inbound_nodes");
            for (int place = 0; place < layerAt.size(); place++) {
                int[] reads = connections.reads().get(place);
                if (layerAt.get(place) != l || reads.length == 0) {
                    continue;
                }
                ObjectNode node = inbound.addObject();
                ArrayNode args = node.putArray("args");
                ArrayNode tensors = reads.length == 1 ? args : args.addArray(); // a merge takes one list
                for (int from : reads) {
                    tensors.add(tensor(names.get(layerAt.get(from)), connections.applicationIndex(from),
                            shapes.get(from)));
                }
                node.putObject("kwargs");
            }
            layerArray.add(entry);
        }
        List<Integer> inputs = connections.inputs();
        if (inputs.size() == 1) { // as Keras writes keras.Model(input, output)
            history(config.putArray("input_layers"), names.get(layerAt.get(inputs.get(0))), 0);
        } else {
            ArrayNode inputArray = config.putArray("input_layers");
            inputs.forEach(i -> history(inputArray.addArray(), names.get(layerAt.get(i)), 0));
        }
        List<Integer> outputs = connections.outputs();
        if (outputs.size() == 1) { // as Keras writes keras.Model(input, output)
            int output = outputs.get(0);
            history(config.putArray("output_layers"), names.get(layerAt.get(output)), connections.applicationIndex(output));
        } else {
            ArrayNode outputArray = config.putArray("output_layers");
            outputs.forEach(o -> history(outputArray.addArray(), names.get(layerAt.get(o)), connections.applicationIndex(o)));
        }
    }

    private static ObjectNode tensor(String layer, int node, Shape shape) {
        ObjectNode t = SafeTensors.JSON.createObjectNode();
        t.put("class_name", TENSOR);
        ObjectNode c = t.putObject("config");
        ArrayNode dims = c.putArray("shape").addNull();
        for (int d : shape.dims()) {
            dims.add(d);
        }
        c.put("dtype", "float32");
        history(c.putArray("keras_history"), layer, node);
        return t;
    }

    /** [layer, node index, tensor index]: the node index counts the layer's applications; each gives one tensor. */
    private static void history(ArrayNode into, String layer, int node) {
        into.add(layer).add(node).add(0);
    }

    /** The shape of what each place gives. */
    private static List<Shape> outputShapes(List<Layer> layers, ModelConfig.Connections connections) {
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < connections.reads().size(); i++) {
            Layer layer = layers.get(connections.layerAt().get(i));
            int[] reads = connections.reads().get(i);
            if (reads.length == 0) {
                shapes.add(((InputLayer) layer).exampleShape());
                continue;
            }
            List<Shape> in = new ArrayList<>();
            for (int from : reads) {
                in.add(shapes.get(from));
            }
            shapes.add(layer.outputShape(in));
        }
        return shapes;
    }

    /**
     * Reads the connections of {@code config}'s layers, already parsed into {@code layers}: each inbound
     * node of a layer is a place (a shared layer has several), put in an order where each place comes
     * after those it reads. Refuses what Kiln cannot build: arguments other than the tensors a layer
     * merges, a tensor of a layer or call that does not exist, calls that read each other in a cycle,
     * an output listed twice, a call no output depends on.
     */
    static ModelConfig.Connections read(JsonFields config, List<Layer> layers, List<String> names)
            throws ModelFormatException {
        JsonNode layerArray = config.raw("layers");
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            if (index.put(names.get(i), i) != null) {
                JsonFields entry = new JsonFields(layerArray.get(i), config.path() + ".layers[" + i + "]",
                        config.source());
                throw entry.object("config").fail("name", "is '" + Abbreviated.name(names.get(i)) + "', the name of an"
                        + " earlier layer too: a functional model's layers need distinct names");
            }
        }
        // calls.get(l).get(k): the [layer, node] pairs that layer l's k-th application reads.
        List<List<List<int[]>>> calls = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            JsonFields entry = new JsonFields(layerArray.get(i), config.path() + ".layers[" + i + "]", config.source());
            calls.add(inbound(entry, layers.get(i), index));
        }
        for (int i = 0; i < layers.size(); i++) {
            for (List<int[]> call : calls.get(i)) {
                for (int[] ref : call) {
                    if (ref[1] >= calls.get(ref[0]).size()) {
                        JsonFields entry = new JsonFields(layerArray.get(i), config.path() + ".layers[" + i + "]",
                                config.source());
                        throw entry.fail("inbound_nodes", "reads call " + ref[1] + " of layer '"
                                + Abbreviated.name(names.get(ref[0])) + "', which is applied "
                                + calls.get(ref[0]).size() + " time(s)");
                    }
                }
            }
        }
        // Places in an order where each comes after what it reads; a layer's calls in their own order.
        int[][] place = new int[layers.size()][];
        for (int i = 0; i < layers.size(); i++) {
            place[i] = new int[calls.get(i).size()];
            Arrays.fill(place[i], -1);
        }
        List<int[]> reads = new ArrayList<>();
        List<Integer> layerAt = new ArrayList<>();
        int[] next = new int[layers.size()];
        boolean progress = true;
        while (progress) {
            progress = false;
            for (int l = 0; l < layers.size(); l++) {
                while (next[l] < calls.get(l).size() && ready(calls.get(l).get(next[l]), place)) {
                    List<int[]> call = calls.get(l).get(next[l]);
                    int[] from = new int[call.size()];
                    for (int k = 0; k < from.length; k++) {
                        from[k] = place[call.get(k)[0]][call.get(k)[1]];
                    }
                    place[l][next[l]] = reads.size();
                    reads.add(from);
                    layerAt.add(l);
                    next[l]++;
                    progress = true;
                }
            }
        }
        for (int l = 0; l < layers.size(); l++) {
            if (next[l] < calls.get(l).size()) {
                throw config.fail("layers", "layer '" + Abbreviated.name(names.get(l)) + "' call " + next[l]
                        + " reads tensors that depend on it (a cycle)");
            }
        }
        List<Integer> inputs = new ArrayList<>();
        for (JsonNode in : triples(config, "input_layers")) {
            int[] ref = tensorOf(config, "input_layers", in, index);
            int at = place[ref[0]].length > ref[1] ? place[ref[0]][ref[1]] : -1;
            if (!(layers.get(ref[0]) instanceof InputLayer) || inputs.contains(at)) {
                throw config.fail("input_layers", "names '" + Abbreviated.name(names.get(ref[0])) + "', which is not an"
                        + " InputLayer listed once");
            }
            inputs.add(at);
        }
        List<JsonNode> outputs = triples(config, "output_layers");
        List<Integer> outputPlaces = new ArrayList<>();
        if (outputs.size() == 1) {
            int[] output = tensorOf(config, "output_layers", outputs.get(0), index);
            if (output[1] >= place[output[0]].length || place[output[0]][output[1]] != reads.size() - 1) {
                throw config.fail("output_layers", "must name the call every other call leads to, but "
                        + Abbreviated.name(outputs.get(0).toString()) + " is not it");
            }
            outputPlaces.add(reads.size() - 1);
        } else {
            for (JsonNode o : outputs) {
                int[] output = tensorOf(config, "output_layers", o, index);
                int at = output[1] < place[output[0]].length ? place[output[0]][output[1]] : -1;
                if (at < 0 || layers.get(output[0]) instanceof InputLayer || outputPlaces.contains(at)) {
                    throw config.fail("output_layers", "names " + Abbreviated.name(o.toString()) + ", which is not a"
                            + " layer call listed once");
                }
                outputPlaces.add(at);
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof InputLayer && !inputs.contains(place[i][0])) {
                throw config.fail("input_layers", "does not list InputLayer '" + Abbreviated.name(names.get(i)) + "'");
            }
        }
        return new ModelConfig.Connections(reads, inputs, layerAt, outputPlaces);
    }

    private static boolean ready(List<int[]> call, int[][] place) {
        for (int[] ref : call) {
            if (place[ref[0]][ref[1]] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * The calls of {@code layer} (entry {@code entry}): for each inbound node, the [layer, node] pairs it
     * reads. An InputLayer has one call that reads nothing.
     */
    private static List<List<int[]>> inbound(JsonFields entry, Layer layer, Map<String, Integer> index)
            throws ModelFormatException {
        JsonNode nodes = entry.raw("inbound_nodes");
        if (!nodes.isArray()) {
            throw entry.fail("inbound_nodes", "must be an array");
        }
        if (layer instanceof InputLayer) {
            if (!nodes.isEmpty()) {
                throw entry.fail("inbound_nodes", "must be empty for an InputLayer");
            }
            return List.of(List.of());
        }
        if (nodes.isEmpty()) {
            throw entry.fail("inbound_nodes", "is empty: the layer is not connected");
        }
        List<List<int[]>> calls = new ArrayList<>();
        for (int n = 0; n < nodes.size(); n++) {
            JsonFields node = new JsonFields(nodes.get(n), entry.path() + ".inbound_nodes[" + n + "]", entry.source());
            if (node.has("kwargs") && !(node.raw("kwargs").isObject() && node.raw("kwargs").isEmpty())) {
                throw node.fail("kwargs", "must be empty: Kiln applies a layer to tensors alone (no mask, training"
                        + " flag or other argument)");
            }
            JsonNode args = node.raw("args");
            if (!args.isArray() || args.size() != 1) {
                throw node.fail("args", "must hold one tensor, or one list of the tensors a merge reads");
            }
            JsonNode tensors = args.get(0).isArray() ? args.get(0) : args;
            List<int[]> from = new ArrayList<>();
            for (int k = 0; k < tensors.size(); k++) {
                JsonNode t = tensors.get(k);
                if (!TENSOR.equals(t.path("class_name").asText(null))) {
                    throw node.fail("args", "argument " + k + " is not a " + TENSOR);
                }
                JsonFields tensorConfig = new JsonFields(t.get("config"), node.path() + ".args[" + k + "].config",
                        entry.source());
                from.add(tensorOf(tensorConfig, "keras_history", tensorConfig.raw("keras_history"), index));
            }
            calls.add(from);
        }
        return calls;
    }

    /** A [layer, node, 0] triple or a list of them. */
    private static List<JsonNode> triples(JsonFields config, String field) throws ModelFormatException {
        JsonNode v = config.raw(field);
        if (v.isArray() && !v.isEmpty() && v.get(0).isTextual()) {
            return List.of(v);
        }
        if (!v.isArray() || v.isEmpty()) {
            throw config.fail(field, "must be a [layer, node, 0] triple or a non-empty list of them");
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    /**
     * The [layer index, node index] a [name, node, 0] triple names: the tensor the node-th application of
     * that layer gave (Kiln's layers give one tensor per application).
     */
    private static int[] tensorOf(JsonFields owner, String field, JsonNode triple, Map<String, Integer> index)
            throws ModelFormatException {
        if (!triple.isArray() || triple.size() != 3 || !triple.get(0).isTextual() || !triple.get(1).isIntegralNumber()
                || triple.get(1).asInt(-1) < 0 || !triple.get(2).isIntegralNumber() || triple.get(2).asInt(-1) != 0) {
            throw owner.fail(field, "must be [layer name, node index >= 0, 0] (Kiln's layers give one tensor per"
                    + " application), found " + Abbreviated.name(triple.toString()));
        }
        Integer at = index.get(triple.get(0).textValue());
        if (at == null) {
            throw owner.fail(field, "names layer '" + Abbreviated.name(triple.get(0).textValue()) + "', which is not"
                    + " listed");
        }
        return new int[] {at, triple.get(1).asInt()};
    }
}
