package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.metrics.CustomMetric;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiled metrics to and from {@code compile_config.metrics}, as Keras 3 writes them: a metric given by
 * name as that name ({@code "accuracy"}), a metric object as {@code {"module": "keras.metrics",
 * "class_name": "Precision", "config": {"name": ..., "dtype": "float32", ...}, "registered_name": null}},
 * whose options the metric writes and reads itself. The name in the config is kept: it is the metric's
 * key in History and in evaluate's result. A {@link CustomMetric} is written as Keras writes a registered
 * function ({@code "class_name": "function", "config": "Custom>my_metric"}) and read back from the metrics
 * the program registered.
 *
 * <pre>{@code
 * JsonNode saved = MetricConfigs.metric(new Precision(0.7).classId(2).named("p2"));
 * }</pre>
 */
final class MetricConfigs {
    private static final int MAX_METRICS = 1000;

    private MetricConfigs() {
    }

    static JsonNode metric(Metric metric) {
        if (metric instanceof CustomMetric custom) {
            return KerasNames.registeredFunction(custom.registeredName());
        }
        if (metric.savedAsName()) {
            return SafeTensors.JSON.getNodeFactory().textNode(metric.name());
        }
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.metrics");
        node.put("class_name", metric.getClass().getSimpleName());
        ObjectNode config = node.putObject("config");
        config.put("name", metric.name());
        config.put("dtype", "float32");
        metric.writeConfig(new ConfigWriter(config));
        node.putNull("registered_name");
        return node;
    }

    private static Metric registered(String registeredName) {
        if (CustomObjectRegistry.get(registeredName) instanceof CustomMetric metric) {
            return metric;
        }
        throw new IllegalArgumentException(CustomObjectRegistry.notRegistered("metric", registeredName));
    }

    static List<Metric> parseMetrics(JsonNode node, JsonFields compile) throws ModelFormatException {
        if (!node.isArray() || node.size() > MAX_METRICS) {
            throw compile.fail("metrics", "must be an array of at most " + MAX_METRICS + " metrics");
        }
        List<Metric> out = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            out.add(parseMetric(node.get(i), compile, "metrics[" + i + "]"));
        }
        return out;
    }

    private static Metric parseMetric(JsonNode m, JsonFields compile, String field) throws ModelFormatException {
        try {
            if (m.isTextual()) {
                return Metrics.resolve(m.textValue());
            }
            if (!m.isObject()) {
                throw compile.fail(field, "must be a metric name or a metric object, found " + m);
            }
            JsonFields node = new JsonFields(m, compile.path() + "." + field, compile.source());
            String type = node.text("class_name");
            if (type.equals(KerasNames.FUNCTION)) { // metrics=[keras.metrics.categorical_accuracy]
                String name = node.text("config");
                return KerasNames.isRegisteredName(name) ? registered(name) : Metrics.resolve(name);
            }
            Metric metric = Metrics.fromConfig(type, new ConfigReader(node.object("config")));
            if (metric == null) {
                throw node.fail("class_name", "is '" + type + "'; this Kiln reads metric names and "
                        + Metrics.classNames() + " objects");
            }
            return metric;
        } catch (IllegalArgumentException e) {
            throw compile.fail(field, e.getMessage());
        }
    }
}
