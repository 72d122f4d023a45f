package dev.kiln.io;

/** Keras spells class names in CamelCase and config names in snake_case; Kiln uses the snake_case ones. */
final class KerasNames {
    /**
     * The {@code class_name} Keras writes for one of its functions given where an object could be, as in
     * {@code compile(loss=keras.losses.mean_squared_error)}: the function's name is the {@code config}.
     */
    static final String FUNCTION = "function";

    private KerasNames() {
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
