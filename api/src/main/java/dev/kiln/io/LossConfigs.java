package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.losses.CustomLoss;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;

/**
 * The compiled loss to and from {@code compile_config.loss}. A loss equal to the one its name gives
 * ({@code "mse"}, {@code "categorical_crossentropy"}) is written as that name, as Keras writes a loss
 * given by name; one that carries parameters (from_logits, label_smoothing) as Keras' object,
 * {@code {"module": "keras.losses", "class_name": "CategoricalCrossentropy", "config": {"name": ...,
 * "from_logits": ..., "label_smoothing": ...}}}, whose fields the loss writes and reads itself. A
 * {@link CustomLoss} is written as Keras writes a registered function, {@code {"module": "builtins",
 * "class_name": "function", "config": "Custom>my_loss", "registered_name": "function"}}, and read back
 * from the losses the program registered.
 */
final class LossConfigs {
    private LossConfigs() {
    }

    static JsonNode loss(Loss loss) {
        if (loss instanceof CustomLoss custom) {
            return KerasNames.registeredFunction(custom.registeredName());
        }
        if (isWhatItsNameGives(loss)) {
            return SafeTensors.JSON.getNodeFactory().textNode(loss.name());
        }
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.losses");
        node.put("class_name", loss.getClass().getSimpleName());
        ObjectNode config = node.putObject("config");
        config.put("name", loss.name());
        loss.writeConfig(new ConfigWriter(config));
        return node;
    }

    private static boolean isWhatItsNameGives(Loss loss) {
        return Losses.names().contains(loss.name()) && Losses.resolve(loss.name()).equals(loss);
    }

    private static Loss registered(String registeredName) {
        if (CustomObjectRegistry.get(registeredName) instanceof CustomLoss loss) {
            return loss;
        }
        throw new IllegalArgumentException(CustomObjectRegistry.notRegistered("loss", registeredName));
    }

    static Loss parseLoss(JsonNode node, JsonFields compile) throws ModelFormatException {
        try {
            if (node.isTextual()) {
                return Losses.resolve(node.textValue());
            }
            JsonFields object = new JsonFields(node, compile.path() + ".loss", compile.source());
            String type = object.text("class_name");
            if (type.equals(KerasNames.FUNCTION)) { // compile(loss=keras.losses.mean_squared_error)
                String name = object.text("config");
                return KerasNames.isRegisteredName(name) ? registered(name) : Losses.resolve(name);
            }
            Loss loss = Losses.fromConfig(type, new ConfigReader(object.object("config")));
            if (loss == null) {
                throw object.fail("class_name", "is '" + type + "'; this Kiln reads loss names and the loss classes "
                        + Losses.classNames());
            }
            return loss;
        } catch (IllegalArgumentException e) {
            throw compile.fail("loss " + e.getMessage());
        }
    }
}
