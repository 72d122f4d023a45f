package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.regularizers.L1;
import dev.kiln.regularizers.L1L2;
import dev.kiln.regularizers.L2;
import dev.kiln.regularizers.Regularizer;
import dev.kiln.regularizers.Regularizers;

/**
 * Weight regularizers as Keras 3 serializes them,
 * {@code {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}}}; a Keras name
 * such as {@code "l2"} is read too.
 */
final class RegularizerConfigs {
    private RegularizerConfigs() {
    }

    /** Keras' serialized form, or JSON null for none. */
    static JsonNode regularizer(Regularizer r) {
        if (r == null) {
            return SafeTensors.JSON.getNodeFactory().nullNode();
        }
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.regularizers");
        node.put("class_name", r.className());
        ObjectNode config = node.putObject("config");
        switch (r) {
            case L1 l -> config.put("l1", l.l1());
            case L2 l -> config.put("l2", l.l2());
            case L1L2 l -> {
                config.put("l1", l.l1());
                config.put("l2", l.l2());
            }
        }
        node.putNull("registered_name");
        return node;
    }

    /** Null when the field is absent or null; a Keras name ("l2") or a serialized object otherwise. */
    static Regularizer parseRegularizer(JsonFields layer, String field) throws ModelFormatException {
        if (!layer.has(field)) {
            return null;
        }
        JsonNode v = layer.raw(field);
        try {
            if (v.isTextual()) {
                return Regularizers.resolve(v.textValue());
            }
            JsonFields node = new JsonFields(v, layer.path() + "." + field, layer.source());
            String type = node.text("class_name");
            JsonFields c = node.object("config");
            return switch (type) {
                case "L1", "l1" -> new L1(c.number("l1"));
                case "L2", "l2" -> new L2(c.number("l2"));
                case "L1L2", "l1_l2" -> new L1L2(c.has("l1") ? c.number("l1") : 0, c.has("l2") ? c.number("l2") : 0);
                default -> throw node.fail("class_name", "is '" + type + "'; this Kiln reads L1, L2 and L1L2 regularizers");
            };
        } catch (IllegalArgumentException e) {
            throw layer.fail(field, e.getMessage());
        }
    }
}
