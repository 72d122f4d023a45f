package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;

/** The compiled loss to and from {@code compile_config.loss}: a name, or an object when it reads logits. */
final class LossConfigs {
    private LossConfigs() {
    }

    /** A plain name as Keras writes a loss given by name; an object when it reads logits. */
    static JsonNode loss(Loss loss) {
        if (!loss.fromLogits()) {
            return SafeTensors.JSON.getNodeFactory().textNode(loss.name());
        }
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.losses");
        node.put("class_name", KerasNames.snakeToCamel(loss.name()));
        ObjectNode config = node.putObject("config");
        config.put("name", loss.name());
        config.put("from_logits", true);
        return node;
    }

    static Loss parseLoss(JsonNode node, JsonFields compile) throws ModelFormatException {
        try {
            if (node.isTextual()) {
                return Losses.resolve(node.textValue());
            }
            JsonFields config = new JsonFields(node, compile.path() + ".loss", compile.source()).object("config");
            String name = config.text("name");
            boolean fromLogits = config.has("from_logits") && config.bool("from_logits");
            Loss plain = Losses.resolve(name);
            if (!fromLogits) {
                return plain;
            }
            return switch (plain.name()) {
                case "binary_crossentropy" -> Losses.binaryCrossentropy(true);
                case "categorical_crossentropy" -> Losses.categoricalCrossentropy(true);
                case "sparse_categorical_crossentropy" -> Losses.sparseCategoricalCrossentropy(true);
                default -> throw config.fail("from_logits", "is true but loss '" + name + "' has no logits form");
            };
        } catch (IllegalArgumentException e) {
            throw compile.fail("loss " + e.getMessage());
        }
    }
}
