package dev.kiln.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.memory.Shape;
import dev.kiln.regularizers.Regularizer;

/**
 * The {@code config} object of a Keras object being saved (a layer, an optimizer, a loss, a metric),
 * written by the object itself under Keras' snake_case field names and value forms; fields appear in the
 * file in the order they are put. The name, dtype and class name around a layer's fields are written for
 * it. Each object's {@code writeConfig} is the one place its fields are named, and its static
 * {@code fromConfig} reads them back with {@link ConfigReader}. Only Kiln's file writers create one.
 *
 * <pre>{@code
 * public void writeConfig(ConfigWriter config) {
 *     config.put("beta_1", beta1).put("beta_2", beta2).put("epsilon", epsilon);
 * }
 * }</pre>
 */
public final class ConfigWriter {
    private final ObjectNode config;

    ConfigWriter(ObjectNode config) {
        this.config = config;
    }

    public ConfigWriter put(String field, int value) {
        config.put(field, value);
        return this;
    }

    public ConfigWriter put(String field, double value) {
        config.put(field, value);
        return this;
    }

    public ConfigWriter put(String field, boolean value) {
        config.put(field, value);
        return this;
    }

    public ConfigWriter put(String field, String value) {
        config.put(field, value);
        return this;
    }

    /** A tuple of ints, written as Keras writes one: a list, {@code "kernel_size": [3, 3]}. */
    public ConfigWriter put(String field, int... values) {
        ArrayNode list = config.putArray(field);
        for (int v : values) {
            list.add(v);
        }
        return this;
    }

    /** A field Keras expects but Kiln has nothing for, such as Dropout's {@code seed}. */
    public ConfigWriter putNull(String field) {
        config.putNull(field);
        return this;
    }

    /** An example shape with Keras' batch axis in front: {@code [null, 28, 28]}. */
    public ConfigWriter putBatchShape(String field, Shape example) {
        ArrayNode shape = config.putArray(field).addNull();
        for (int d : example.dims()) {
            shape.add(d);
        }
        return this;
    }

    /**
     * An initializer Kiln names in snake case ({@code glorot_uniform}) as Keras serializes it:
     * {@code {"module": "keras.initializers", "class_name": "GlorotUniform", "config": {"seed": null}}}.
     */
    public ConfigWriter putInitializer(String field, String name) {
        ObjectNode node = config.putObject(field);
        node.put("module", "keras.initializers");
        node.put("class_name", KerasNames.snakeToCamel(name));
        ObjectNode initializerConfig = node.putObject("config");
        if (!name.equals("zeros") && !name.equals("ones")) {
            initializerConfig.putNull("seed"); // Keras' random initializers carry a seed; Kiln draws from the model's
        }
        return this;
    }

    /**
     * An initializer a layer always uses and never reads back (the normalization layers' {@code Zeros}
     * and {@code Ones}), written with the {@code registered_name} Keras' own files carry.
     */
    public ConfigWriter putFixedInitializer(String field, String kerasClassName) {
        ObjectNode node = config.putObject(field);
        node.put("module", "keras.initializers");
        node.put("class_name", kerasClassName);
        node.putObject("config");
        node.putNull("registered_name");
        return this;
    }

    /** A regularizer as Keras serializes it, or null for none. */
    public ConfigWriter putRegularizer(String field, Regularizer regularizer) {
        config.set(field, RegularizerConfigs.regularizer(regularizer));
        return this;
    }
}
