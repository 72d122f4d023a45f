package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.memory.Shape;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A functional model's {@code config} in Keras 3's layout: each layer entry carries its {@code name} and
 * {@code inbound_nodes} (the tensors it was applied to, each a {@code __keras_tensor__} naming the layer
 * that made it in {@code keras_history}), and the model lists its {@code input_layers} and
 * {@code output_layers}. Layers come in the order Keras lists a functional model's layers; each reads
 * only layers listed before it.
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

    /** Writes {@code config}'s layers, inputs and output; {@code connections} says which layer reads which. */
    static void write(ObjectNode config, List<Layer> layers, List<String> names, ModelConfig.Connections connections) {
        List<Shape> shapes = outputShapes(layers, connections);
        ArrayNode layerArray = config.putArray("layers");
        for (int i = 0; i < layers.size(); i++) {
            ObjectNode entry = LayerConfigs.layer(layers.get(i), names.get(i));
            entry.putNull("registered_name");
            entry.put("name", names.get(i));
            ArrayNode inbound = entry.putArray("inbound_nodes");
            int[] reads = connections.reads().get(i);
            if (reads.length > 0) {
                ObjectNode node = inbound.addObject();
                ArrayNode args = node.putArray("args");
                ArrayNode tensors = reads.length == 1 ? args : args.addArray(); // a merge takes one list
                for (int from : reads) {
                    tensors.add(tensor(names.get(from), shapes.get(from)));
                }
                node.putObject("kwargs");
            }
            layerArray.add(entry);
        }
        List<Integer> inputs = connections.inputs();
        if (inputs.size() == 1) { // as Keras writes keras.Model(input, output)
            history(config.putArray("input_layers"), names.get(inputs.get(0)));
        } else {
            ArrayNode inputArray = config.putArray("input_layers");
            inputs.forEach(i -> history(inputArray.addArray(), names.get(i)));
        }
        history(config.putArray("output_layers"), names.getLast());
    }

    private static ObjectNode tensor(String layer, Shape shape) {
        ObjectNode t = SafeTensors.JSON.createObjectNode();
        t.put("class_name", TENSOR);
        ObjectNode c = t.putObject("config");
        ArrayNode dims = c.putArray("shape").addNull();
        for (int d : shape.dims()) {
            dims.add(d);
        }
        c.put("dtype", "float32");
        history(c.putArray("keras_history"), layer);
        return t;
    }

    /** [layer, node index, tensor index]: Kiln's layers are applied once and give one tensor. */
    private static void history(ArrayNode into, String layer) {
        into.add(layer).add(0).add(0);
    }

    private static List<Shape> outputShapes(List<Layer> layers, ModelConfig.Connections connections) {
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            int[] reads = connections.reads().get(i);
            if (reads.length == 0) {
                shapes.add(((InputLayer) layers.get(i)).exampleShape());
                continue;
            }
            List<Shape> in = new ArrayList<>();
            for (int from : reads) {
                in.add(shapes.get(from));
            }
            shapes.add(layers.get(i).outputShape(in));
        }
        return shapes;
    }

    /**
     * Reads the connections of {@code config}'s layers, already parsed into {@code layers}; refuses what
     * Kiln cannot build: a layer applied more than once (shared), arguments other than the tensors it
     * merges, a tensor of a layer not listed before, several outputs, an output that is not the last layer.
     */
    static ModelConfig.Connections read(JsonFields config, List<Layer> layers, List<String> names)
            throws ModelFormatException {
        JsonNode layerArray = config.raw("layers");
        Map<String, Integer> place = new HashMap<>();
        List<int[]> reads = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            JsonFields entry = new JsonFields(layerArray.get(i), config.path() + ".layers[" + i + "]", config.source());
            reads.add(inbound(entry, layers.get(i), place));
            if (place.put(names.get(i), i) != null) {
                throw entry.object("config").fail("name", "is '" + Abbreviated.name(names.get(i)) + "', the name of an"
                        + " earlier layer too: a functional model's layers need distinct names");
            }
        }
        List<Integer> inputs = new ArrayList<>();
        for (JsonNode in : triples(config, "input_layers")) {
            int at = layerOf(config, "input_layers", in, place);
            if (!(layers.get(at) instanceof InputLayer) || inputs.contains(at)) {
                throw config.fail("input_layers", "names '" + Abbreviated.name(names.get(at)) + "', which is not an"
                        + " InputLayer listed once");
            }
            inputs.add(at);
        }
        List<JsonNode> outputs = triples(config, "output_layers");
        if (outputs.size() != 1) {
            throw config.fail("output_layers", "lists " + outputs.size() + " outputs; Kiln's models have one");
        }
        if (layerOf(config, "output_layers", outputs.get(0), place) != layers.size() - 1) {
            throw config.fail("output_layers", "must name the last layer listed, as Keras orders a functional model's"
                    + " layers");
        }
        for (int i = 0; i < layers.size(); i++) {
            if (reads.get(i).length == 0 && !inputs.contains(i)) {
                throw config.fail("input_layers", "does not list InputLayer '" + Abbreviated.name(names.get(i)) + "'");
            }
        }
        return new ModelConfig.Connections(reads, inputs);
    }

    /** The places of the layers whose tensors {@code layer} (entry {@code entry}) was applied to. */
    private static int[] inbound(JsonFields entry, Layer layer, Map<String, Integer> place) throws ModelFormatException {
        JsonNode nodes = entry.raw("inbound_nodes");
        if (!nodes.isArray()) {
            throw entry.fail("inbound_nodes", "must be an array");
        }
        if (layer instanceof InputLayer) {
            if (!nodes.isEmpty()) {
                throw entry.fail("inbound_nodes", "must be empty for an InputLayer");
            }
            return new int[0];
        }
        if (nodes.size() != 1) {
            throw entry.fail("inbound_nodes", nodes.isEmpty() ? "is empty: the layer is not connected"
                    : "holds " + nodes.size() + " calls: the layer is shared, which Kiln does not support yet");
        }
        JsonFields node = new JsonFields(nodes.get(0), entry.path() + ".inbound_nodes[0]", entry.source());
        if (node.has("kwargs") && !(node.raw("kwargs").isObject() && node.raw("kwargs").isEmpty())) {
            throw node.fail("kwargs", "must be empty: Kiln applies a layer to tensors alone (no mask, training flag"
                    + " or other argument)");
        }
        JsonNode args = node.raw("args");
        if (!args.isArray() || args.size() != 1) {
            throw node.fail("args", "must hold one tensor, or one list of the tensors a merge reads");
        }
        JsonNode tensors = args.get(0).isArray() ? args.get(0) : args;
        int[] from = new int[tensors.size()];
        for (int k = 0; k < from.length; k++) {
            JsonNode t = tensors.get(k);
            if (!TENSOR.equals(t.path("class_name").asText(null))) {
                throw node.fail("args", "argument " + k + " is not a " + TENSOR);
            }
            JsonFields tensorConfig = new JsonFields(t.get("config"), node.path() + ".args[" + k + "].config",
                    entry.source());
            from[k] = layerOf(tensorConfig, "keras_history", tensorConfig.raw("keras_history"), place);
        }
        return from;
    }

    /** A [layer, 0, 0] triple or a list of them. */
    private static List<JsonNode> triples(JsonFields config, String field) throws ModelFormatException {
        JsonNode v = config.raw(field);
        if (v.isArray() && !v.isEmpty() && v.get(0).isTextual()) {
            return List.of(v);
        }
        if (!v.isArray() || v.isEmpty()) {
            throw config.fail(field, "must be a [layer, 0, 0] triple or a non-empty list of them");
        }
        List<JsonNode> out = new ArrayList<>();
        v.forEach(out::add);
        return out;
    }

    /** The place of the layer a [name, 0, 0] triple names, which must be listed before. */
    private static int layerOf(JsonFields owner, String field, JsonNode triple, Map<String, Integer> place)
            throws ModelFormatException {
        if (!triple.isArray() || triple.size() != 3 || !triple.get(0).isTextual() || triple.get(1).asInt(-1) != 0
                || triple.get(2).asInt(-1) != 0 || !triple.get(1).isIntegralNumber() || !triple.get(2).isIntegralNumber()) {
            throw owner.fail(field, "must be [layer name, 0, 0] (Kiln's layers are applied once and give one tensor),"
                    + " found " + Abbreviated.name(triple.toString()));
        }
        Integer at = place.get(triple.get(0).textValue());
        if (at == null) {
            throw owner.fail(field, "names layer '" + Abbreviated.name(triple.get(0).textValue()) + "', which is not"
                    + " listed before this point");
        }
        return at;
    }
}
