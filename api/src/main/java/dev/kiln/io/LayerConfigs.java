package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.initializers.Initializers;
import dev.kiln.layers.ActivationLayer;
import dev.kiln.layers.BatchNormalizationLayer;
import dev.kiln.layers.DenseLayer;
import dev.kiln.layers.DropoutLayer;
import dev.kiln.layers.FlattenLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.LayerNormalizationLayer;
import dev.kiln.regularizers.L1;
import dev.kiln.regularizers.L1L2;
import dev.kiln.regularizers.L2;
import dev.kiln.regularizers.Regularizer;
import dev.kiln.regularizers.Regularizers;
import java.util.ArrayList;
import java.util.List;

/**
 * The config fields of the layers added after the MVP (Flatten, LayerNormalization,
 * BatchNormalization, multi-dimensional inputs) and of weight regularizers, as Keras 3 writes them:
 * e.g. {@code "batch_shape": [null, 28, 28]} and
 * {@code {"module": "keras.regularizers", "class_name": "L2", "config": {"l2": 0.01}}}.
 * Only the fields Kiln acts on are read; the initializer fields are written for Keras' benefit and
 * must name Keras' defaults, the only ones Kiln's normalization layers use.
 *
 * <pre>{@code
 * ObjectNode reg = LayerConfigs.regularizer(new L2(0.01));
 * Regularizer back = LayerConfigs.parseRegularizer(fields, "kernel_regularizer");
 * }</pre>
 */
final class LayerConfigs {
    /** Keras caps nothing, but an input of more dimensions than this is not a file Kiln wrote. */
    private static final int MAX_INPUT_RANK = 32;

    private LayerConfigs() {
    }

    static ObjectNode layer(Layer layer, String name) {
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.layers");
        node.put("class_name", layer.typeName());
        ObjectNode config = node.putObject("config");
        config.put("name", name);
        config.put("trainable", true);
        config.put("dtype", "float32");
        switch (layer) {
            case InputLayer input -> LayerConfigs.input(input, config);
            case DenseLayer d -> {
                config.put("units", d.units());
                config.put("activation", d.activation());
                config.put("use_bias", d.useBias());
                config.set("kernel_initializer", initializer(d.kernelInitializer()));
                config.set("bias_initializer", initializer(d.biasInitializer()));
                config.set("kernel_regularizer", LayerConfigs.regularizer(d.kernelRegularizer()));
                config.set("bias_regularizer", LayerConfigs.regularizer(d.biasRegularizer()));
            }
            case ActivationLayer a -> config.put("activation", a.activation());
            case DropoutLayer d -> {
                config.put("rate", d.rate());
                config.putNull("seed");
            }
            case FlattenLayer f -> LayerConfigs.flatten(f, config);
            case LayerNormalizationLayer l -> LayerConfigs.layerNormalization(l, config);
            case BatchNormalizationLayer b -> LayerConfigs.batchNormalization(b, config);
        }
        return node;
    }

    static Layer parseLayer(JsonFields node) throws ModelFormatException {
        String type = node.text("class_name");
        JsonFields config = node.object("config");
        try {
            return switch (type) {
                case "InputLayer" -> LayerConfigs.parseInput(config);
                case "Dense" -> new DenseLayer(config.positiveInt("units"), config.text("activation"),
                        config.bool("use_bias"), initializerName(config, "kernel_initializer"),
                        initializerName(config, "bias_initializer"),
                        LayerConfigs.parseRegularizer(config, "kernel_regularizer"),
                        LayerConfigs.parseRegularizer(config, "bias_regularizer"));
                case "Activation" -> new ActivationLayer(config.text("activation"));
                case "Dropout" -> new DropoutLayer(config.number("rate"));
                case "Flatten" -> LayerConfigs.parseFlatten(config);
                case "LayerNormalization" -> LayerConfigs.parseLayerNormalization(config);
                case "BatchNormalization" -> LayerConfigs.parseBatchNormalization(config);
                default -> throw node.fail("class_name", "is '" + type + "'; this Kiln reads InputLayer, Dense,"
                        + " Activation, Dropout, Flatten, LayerNormalization and BatchNormalization layers");
            };
        } catch (IllegalArgumentException e) {
            throw config.fail(e.getMessage());
        }
    }

    /** Keras writes {"class_name": "GlorotUniform", "config": {"seed": null}}; Kiln's name is glorot_uniform. */
    private static ObjectNode initializer(String name) {
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.initializers");
        node.put("class_name", KerasNames.snakeToCamel(name));
        ObjectNode config = node.putObject("config");
        if (!name.equals("zeros") && !name.equals("ones")) {
            config.putNull("seed");
        }
        return node;
    }

    private static String initializerName(JsonFields layer, String field) throws ModelFormatException {
        JsonNode v = layer.raw(field);
        String name;
        if (v.isTextual()) {
            name = v.textValue();
        } else {
            name = KerasNames.camelToSnake(new JsonFields(v, layer.path() + "." + field, layer.source()).text("class_name"));
        }
        Initializers.resolve(name); // an unknown one fails here, with the valid names
        return name;
    }

    // ---- InputLayer -----------------------------------------------------------------------------

    static void input(InputLayer input, ObjectNode config) {
        ArrayNode shape = config.putArray("batch_shape").addNull();
        input.shape().forEach(shape::add);
    }

    static InputLayer parseInput(JsonFields config) throws ModelFormatException {
        List<Integer> dims = parseBatchShape(config, "batch_shape");
        return new InputLayer(width(dims), dims);
    }

    /**
     * A shape with its batch axis, [null, d1, d2, ...]: each dimension positive and their product an
     * int, checked before anything is allocated for it.
     */
    static List<Integer> parseBatchShape(JsonFields config, String field) throws ModelFormatException {
        JsonNode shape = config.raw(field);
        if (!shape.isArray() || shape.size() < 2 || shape.size() > MAX_INPUT_RANK + 1 || !shape.get(0).isNull()) {
            throw config.fail(field, "must be [null, d1, ...] with 1 to " + MAX_INPUT_RANK
                    + " positive dimensions, found " + shape);
        }
        List<Integer> dims = new ArrayList<>();
        long product = 1;
        for (int i = 1; i < shape.size(); i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() <= 0) {
                throw config.fail(field, "must be [null, d1, ...] with positive dimensions, found " + shape);
            }
            dims.add(d.intValue());
            product *= d.intValue();
            if (product > Integer.MAX_VALUE) {
                throw config.fail(field, "holds more than 2^31 - 1 values per example: " + shape);
            }
        }
        return dims;
    }

    /** The number of values in an example of {@code shape} (already checked to fit an int). */
    static int width(List<Integer> shape) {
        int w = 1;
        for (int d : shape) {
            w *= d;
        }
        return w;
    }

    // ---- Flatten --------------------------------------------------------------------------------

    static void flatten(FlattenLayer flatten, ObjectNode config) {
        config.put("data_format", "channels_last");
    }

    static FlattenLayer parseFlatten(JsonFields config) throws ModelFormatException {
        if (config.has("data_format") && !config.text("data_format").equals("channels_last")) {
            throw config.fail("data_format", "must be \"channels_last\", the only layout Kiln has");
        }
        return new FlattenLayer();
    }

    // ---- normalization --------------------------------------------------------------------------

    static void layerNormalization(LayerNormalizationLayer l, ObjectNode config) {
        config.put("axis", l.axis());
        config.put("epsilon", l.epsilon());
        config.put("center", l.center());
        config.put("scale", l.scale());
        config.put("rms_scaling", false);
        config.set("beta_initializer", constantInitializer("Zeros"));
        config.set("gamma_initializer", constantInitializer("Ones"));
        config.putNull("beta_regularizer");
        config.putNull("gamma_regularizer");
    }

    static LayerNormalizationLayer parseLayerNormalization(JsonFields config) throws ModelFormatException {
        if (config.has("rms_scaling") && config.bool("rms_scaling")) {
            throw config.fail("rms_scaling", "is true; Kiln's LayerNormalization has no RMS scaling");
        }
        requireNoRegularizer(config, "beta_regularizer");
        requireNoRegularizer(config, "gamma_regularizer");
        return new LayerNormalizationLayer(axis(config), config.number("epsilon"), config.bool("center"),
                config.bool("scale"));
    }

    static void batchNormalization(BatchNormalizationLayer l, ObjectNode config) {
        config.put("axis", l.axis());
        config.put("momentum", l.momentum());
        config.put("epsilon", l.epsilon());
        config.put("center", l.center());
        config.put("scale", l.scale());
        config.set("beta_initializer", constantInitializer("Zeros"));
        config.set("gamma_initializer", constantInitializer("Ones"));
        config.set("moving_mean_initializer", constantInitializer("Zeros"));
        config.set("moving_variance_initializer", constantInitializer("Ones"));
        config.putNull("beta_regularizer");
        config.putNull("gamma_regularizer");
        config.put("synchronized", false);
    }

    static BatchNormalizationLayer parseBatchNormalization(JsonFields config) throws ModelFormatException {
        requireNoRegularizer(config, "beta_regularizer");
        requireNoRegularizer(config, "gamma_regularizer");
        return new BatchNormalizationLayer(axis(config), config.number("momentum"), config.number("epsilon"),
                config.bool("center"), config.bool("scale"));
    }

    /** Keras writes an int, or a one-element list for a layer given axis=[-1]. */
    private static int axis(JsonFields config) throws ModelFormatException {
        JsonNode axis = config.raw("axis");
        if (axis.isArray() && axis.size() == 1) {
            axis = axis.get(0);
        }
        if (!axis.isIntegralNumber() || !axis.canConvertToInt()) {
            throw config.fail("axis", "must be an integer axis, found " + axis);
        }
        return axis.intValue();
    }

    private static void requireNoRegularizer(JsonFields config, String field) throws ModelFormatException {
        if (config.has(field)) {
            throw config.fail(field, "is set; Kiln's normalization layers take no regularizers");
        }
    }

    private static ObjectNode constantInitializer(String className) {
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.initializers");
        node.put("class_name", className);
        node.putObject("config");
        node.putNull("registered_name");
        return node;
    }

    // ---- regularizers ---------------------------------------------------------------------------

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
