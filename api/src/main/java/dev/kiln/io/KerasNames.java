package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Keras spells class names in CamelCase and config names in snake_case; Kiln uses the snake_case ones. */
final class KerasNames {
    /**
     * The {@code class_name} Keras writes for one of its functions given where an object could be, as in
     * {@code compile(loss=keras.losses.mean_squared_error)}: the function's name is the {@code config}.
     */
    static final String FUNCTION = "function";

    private KerasNames() {
    }

    /**
     * A user's function saved by its registered name, as Keras 3 writes a function registered with
     * {@code register_keras_serializable}: {@code {"module": "builtins", "class_name": "function",
     * "config": "Custom>my_loss", "registered_name": "function"}}.
     */
    static JsonNode registeredFunction(String registeredName) {
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "builtins");
        node.put("class_name", FUNCTION);
        node.put("config", registeredName);
        node.put("registered_name", FUNCTION);
        return node;
    }

    /** True for a registered name ({@code "package>name"}), which Keras' own functions never have. */
    static boolean isRegisteredName(String name) {
        return name.indexOf('>') >= 0;
    }

    static String snakeToCamel(String snake) {
        StringBuilder sb = new StringBuilder();
        for (String part : snake.split("_")) {
            if (!part.isEmpty()) {
                sb.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
            }
        }
        return sb.toString();
    }

    static String camelToSnake(String camel) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c) && i > 0) {
                sb.append('_');
            }
            sb.append(Character.toLowerCase(c));
        }
        return sb.toString();
    }
}
