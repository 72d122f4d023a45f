package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.optimizers.Adagrad;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.AdamW;
import dev.kiln.optimizers.GradientClipping;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.RMSprop;
import dev.kiln.optimizers.SGD;
import dev.kiln.optimizers.schedules.LearningRateSchedule;

/**
 * Layers, optimizers and losses to and from the JSON Keras writes for them ({@code class_name} plus a
 * {@code config} of snake_case fields), one method per direction per family.
 */
final class KerasConfigs {
    private KerasConfigs() {
    }

    // ---- layers ---------------------------------------------------------------------------------

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
        node.put("class_name", snakeToCamel(name));
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
            name = camelToSnake(new JsonFields(v, layer.path() + "." + field, layer.source()).text("class_name"));
        }
        Initializers.resolve(name); // an unknown one fails here, with the valid names
        return name;
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

    // ---- optimizers -----------------------------------------------------------------------------

    static ObjectNode optimizer(Optimizer optimizer) {
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.optimizers");
        node.put("class_name", switch (optimizer) {
            case SGD o -> "SGD";
            case Adam o -> "Adam";
            case AdamW o -> "AdamW";
            case RMSprop o -> "RMSprop";
            case Adagrad o -> "Adagrad";
        });
        ObjectNode config = node.putObject("config");
        config.put("name", optimizer.name());
        if (optimizer.schedule() != null) {
            config.set("learning_rate", ScheduleConfigs.schedule(optimizer.schedule()));
        } else {
            config.put("learning_rate", optimizer.learningRate());
        }
        switch (optimizer) {
            case SGD o -> {
                config.put("momentum", o.momentum());
                config.put("nesterov", o.nesterov());
            }
            case Adam o -> {
                config.put("beta_1", o.beta1());
                config.put("beta_2", o.beta2());
                config.put("epsilon", o.epsilon());
            }
            case AdamW o -> {
                config.put("weight_decay", o.weightDecay());
                config.put("beta_1", o.beta1());
                config.put("beta_2", o.beta2());
                config.put("epsilon", o.epsilon());
            }
            case RMSprop o -> {
                config.put("rho", o.rho());
                config.put("epsilon", o.epsilon());
            }
            case Adagrad o -> {
                config.put("initial_accumulator_value", o.initialAccumulatorValue());
                config.put("epsilon", o.epsilon());
            }
        }
        ScheduleConfigs.clipping(config, optimizer.clipping());
        return node;
    }

    static Optimizer parseOptimizer(JsonFields node) throws ModelFormatException {
        String type = node.text("class_name");
        JsonFields c = node.object("config");
        try {
            LearningRateSchedule schedule = null;
            double lr;
            if (c.has("learning_rate") && c.raw("learning_rate").isObject()) {
                schedule = ScheduleConfigs.parseSchedule(c.object("learning_rate"));
                lr = Optimizer.initialRate(schedule);
            } else {
                lr = c.number("learning_rate");
            }
            GradientClipping clip = ScheduleConfigs.parseClipping(c);
            Optimizer o = switch (type) {
                case "SGD" -> new SGD(lr, c.number("momentum"), c.bool("nesterov"), schedule, clip);
                case "Adam" -> new Adam(lr, c.number("beta_1"), c.number("beta_2"), c.number("epsilon"), schedule, clip);
                case "AdamW" -> new AdamW(lr, c.number("weight_decay"), c.number("beta_1"), c.number("beta_2"),
                        c.number("epsilon"), schedule, clip);
                case "RMSprop" -> new RMSprop(lr, c.number("rho"), c.number("epsilon"), schedule, clip);
                case "Adagrad" -> new Adagrad(lr, c.number("initial_accumulator_value"), c.number("epsilon"),
                        schedule, clip);
                default -> throw node.fail("class_name", "is '" + type
                        + "'; this Kiln reads SGD, Adam, AdamW, RMSprop and Adagrad");
            };
            o.rule(); // the engine's own range checks (β in [0, 1), ε >= 0, ...)
            return o;
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }

    // ---- loss (the metrics are in MetricConfigs) ------------------------------------------------

    /** A plain name as Keras writes a loss given by name; an object when it reads logits. */
    static JsonNode loss(Loss loss) {
        if (!loss.fromLogits()) {
            return SafeTensors.JSON.getNodeFactory().textNode(loss.name());
        }
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.losses");
        node.put("class_name", snakeToCamel(loss.name()));
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
