package dev.kiln.io;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.core.memory.Shape;
import dev.kiln.regularizers.Regularizer;

/**
 * Where a layer writes the fields of its Keras config ({@code config} of one entry of
 * {@code config.json}'s {@code layers}), with Keras' field names and value forms; the name, dtype and
 * class name around them are written for it. Each layer's {@code writeConfig} is the one place its
 * fields are named, and its static {@code fromConfig} reads them back with {@link LayerConfigReader}.
 *
 * <pre>{@code
 * public void writeConfig(LayerConfigWriter config) {
 *     config.put("rate", rate).putNull("seed");
 * }
 * }</pre>
 */
public final class LayerConfigWriter {
    private final ObjectNode config;

    LayerConfigWriter(ObjectNode config) {
        this.config = config;
    }

    public LayerConfigWriter put(String field, int value) {
        config.put(field, value);
        return this;
    }

    public LayerConfigWriter put(String field, double value) {
        config.put(field, value);
        return this;
    }

    public LayerConfigWriter put(String field, boolean value) {
        config.put(field, value);
        return this;
    }

    public LayerConfigWriter put(String field, String value) {
        config.put(field, value);
        return this;
    }

    /** A tuple of ints, written as Keras writes one: a list, {@code "kernel_size": [3, 3]}. */
    public LayerConfigWriter put(String field, int... values) {
        ArrayNode list = config.putArray(field);
        for (int v : values) {
            list.add(v);
        }
        return this;
    }

    /** A field Keras expects but Kiln has nothing for, such as Dropout's {@code seed}. */
    public LayerConfigWriter putNull(String field) {
        config.putNull(field);
        return this;
    }

    /** An example shape with Keras' batch axis in front: {@code [null, 28, 28]}. */
    public LayerConfigWriter putBatchShape(String field, Shape example) {
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
    public LayerConfigWriter putInitializer(String field, String name) {
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
    public LayerConfigWriter putFixedInitializer(String field, String kerasClassName) {
        ObjectNode node = config.putObject(field);
        node.put("module", "keras.initializers");
        node.put("class_name", kerasClassName);
        node.putObject("config");
        node.putNull("registered_name");
        return this;
    }

    /** A regularizer as Keras serializes it, or null for none. */
    public LayerConfigWriter putRegularizer(String field, Regularizer regularizer) {
        config.set(field, RegularizerConfigs.regularizer(regularizer));
        return this;
    }
}
