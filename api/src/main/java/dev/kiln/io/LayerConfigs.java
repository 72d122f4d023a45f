package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.layers.CustomLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.NamedLayer;
import java.util.List;

/**
 * One entry of {@code config.json}'s {@code layers}, as Keras 3 writes it:
 * {@code {"module": "keras.layers", "class_name": "Dense", "config": {"name": "dense", "trainable": true,
 * "dtype": "float32", "units": 10, ...}}}. The fields after {@code dtype} are the layer's own: it writes
 * them ({@link Layer#writeConfig}) and reads them ({@link LayerTypes}).
 *
 * <pre>{@code
 * ObjectNode entry = LayerConfigs.layer(Layers.Dense(10), "dense", true);
 * Layer back = LayerConfigs.parseLayer(new JsonFields(entry, "layers[0]", "model.kiln"));
 * }</pre>
 */
final class LayerConfigs {
    private LayerConfigs() {
    }

    static ObjectNode layer(Layer layer, String name, boolean trainable) {
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        Layer own = layer instanceof NamedLayer named ? named.layer() : layer;
        if (own instanceof CustomLayer custom) {
            // as Keras writes a registered class of the user's: no Keras module, found by its registered name
            node.putNull("module");
            node.put("class_name", custom.typeName());
            node.put("registered_name", custom.registeredName());
        } else {
            node.put("module", "keras.layers");
            node.put("class_name", layer.typeName());
        }
        ObjectNode config = node.putObject("config");
        config.put("name", name);
        config.put("trainable", trainable);
        config.put("dtype", "float32");
        layer.writeConfig(new ConfigWriter(config));
        return node;
    }

    static Layer parseLayer(JsonFields node) throws ModelFormatException {
        String type = node.text("class_name");
        JsonFields config = node.object("config");
        String registered = node.has("registered_name") ? node.text("registered_name") : null;
        if (registered != null && KerasNames.isRegisteredName(registered)) {
            return registeredLayer(node, config, registered);
        }
        LayerTypes.Reader reader = LayerTypes.reader(type);
        if (reader == null) {
            throw node.fail("class_name", "is '" + type + "'; this Kiln reads " + listed(LayerTypes.classNames())
                    + " layers");
        }
        requireKilnBehaviour(config);
        try {
            return reader.read(new ConfigReader(config));
        } catch (IllegalArgumentException e) {
            throw config.fail(e.getMessage());
        }
    }

    /** A user's layer, saved by its registered name: the one this program registered under that name. */
    private static Layer registeredLayer(JsonFields node, JsonFields config, String registered)
            throws ModelFormatException {
        if (!(CustomObjectRegistry.get(registered) instanceof CustomLayer layer)) {
            throw node.fail("registered_name", CustomObjectRegistry.notRegistered("layer", registered));
        }
        requireKilnBehaviour(config);
        return layer;
    }

    /**
     * Refuses what every Keras layer's config may ask for and no Kiln layer does: a dtype other than float32, weight constraints, quantization, LoRA, an
     * activity regularizer.
     */
    private static void requireKilnBehaviour(JsonFields config) throws ModelFormatException {
        if (config.has("dtype")) {
            JsonNode dtype = config.raw("dtype");
            String name = dtype.isTextual() ? dtype.textValue()
                    : dtype.path("config").path("name").asText(dtype.toString());
            if (!name.equals("float32")) {
                throw config.fail("dtype", "is " + Abbreviated.name(name) + "; Kiln computes in float32 only");
            }
        }
        for (var field : config.fieldNames()) {
            if ((field.endsWith("_constraint") || field.equals("quantization_config") || field.equals("lora_rank"))
                    && config.has(field)) {
                throw config.fail(field, "must be null: Kiln has no weight constraints, quantization or LoRA");
            }
            if (field.equals("activity_regularizer") && config.has(field)) {
                throw config.fail(field, "must be null: Kiln penalizes weights, not a layer's outputs");
            }
        }
    }

    /** "A, B and C". */
    private static String listed(List<String> names) {
        int last = names.size() - 1;
        return last == 0 ? names.get(0) : String.join(", ", names.subList(0, last)) + " and " + names.get(last);
    }
}
