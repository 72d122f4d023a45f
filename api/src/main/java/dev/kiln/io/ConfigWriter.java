package dev.kiln.io;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The {@code config} object of a Keras object being saved (an optimizer, a loss, a metric), written by
 * the object itself under Keras' snake_case field names; fields appear in the file in the order they
 * are put. Only Kiln's file writers create one.
 *
 * <pre>{@code
 * public void writeConfig(ConfigWriter config) {
 *     config.put("beta_1", beta1).put("beta_2", beta2).put("epsilon", epsilon);
 * }
 * }</pre>
 */
public final class ConfigWriter {
    private final ObjectNode node;

    ConfigWriter(ObjectNode node) {
        this.node = node;
    }

    public ConfigWriter put(String field, double value) {
        node.put(field, value);
        return this;
    }

    public ConfigWriter put(String field, boolean value) {
        node.put(field, value);
        return this;
    }

    public ConfigWriter put(String field, int value) {
        node.put(field, value);
        return this;
    }

    public ConfigWriter put(String field, String value) {
        node.put(field, value);
        return this;
    }

    /** Keras' None: an option that is off. */
    public ConfigWriter putNull(String field) {
        node.putNull(field);
        return this;
    }
}
