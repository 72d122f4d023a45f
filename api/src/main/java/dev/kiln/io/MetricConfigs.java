package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.metrics.AUC;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.metrics.Precision;
import dev.kiln.metrics.Recall;
import dev.kiln.metrics.SparseTopKCategoricalAccuracy;
import dev.kiln.metrics.TopKCategoricalAccuracy;
import java.util.ArrayList;
import java.util.List;

/**
 * Compiled metrics to and from {@code compile_config.metrics}, as Keras 3 writes them: a metric given by
 * name as that name ({@code "accuracy"}), a metric object as {@code {"module": "keras.metrics",
 * "class_name": "Precision", "config": {"name": ..., "thresholds": ..., "top_k": ..., "class_id": ...}}}.
 * The name in the config is kept: it is the metric's key in History and in evaluate's result.
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
        if (!(metric instanceof Precision || metric instanceof Recall || metric instanceof AUC
                || metric instanceof TopKCategoricalAccuracy || metric instanceof SparseTopKCategoricalAccuracy)) {
            return SafeTensors.JSON.getNodeFactory().textNode(metric.name());
        }
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.metrics");
        node.put("class_name", metric.getClass().getSimpleName());
        ObjectNode config = node.putObject("config");
        config.put("name", metric.name());
        config.put("dtype", "float32");
        switch (metric) {
            case Precision p -> thresholdOptions(config, p.threshold(), p.topK(), p.classId());
            case Recall r -> thresholdOptions(config, r.threshold(), r.topK(), r.classId());
            case AUC a -> {
                config.put("num_thresholds", a.numThresholds());
                config.put("curve", "ROC");
                config.put("summation_method", "interpolation");
                config.putNull("thresholds");
                config.put("multi_label", false);
                config.putNull("num_labels");
                config.putNull("label_weights");
                config.put("from_logits", false);
            }
            case TopKCategoricalAccuracy t -> config.put("k", t.k());
            case SparseTopKCategoricalAccuracy t -> config.put("k", t.k());
            default -> throw new IllegalStateException("unexpected metric class " + metric.getClass());
        }
        node.putNull("registered_name");
        return node;
    }

    private static void thresholdOptions(ObjectNode config, double threshold, int topK, int classId) {
        if (Double.isNaN(threshold)) {
            config.putNull("thresholds");
        } else {
            config.put("thresholds", threshold);
        }
        if (topK > 0) {
            config.put("top_k", topK);
        } else {
            config.putNull("top_k");
        }
        if (classId >= 0) {
            config.put("class_id", classId);
        } else {
            config.putNull("class_id");
        }
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
            JsonFields c = node.object("config");
            String name = c.text("name");
            return switch (type) {
                case "Precision" -> {
                    Precision p = c.has("thresholds") ? new Precision(threshold(c)) : new Precision();
                    p = c.has("top_k") ? p.topK(c.positiveInt("top_k")) : p;
                    p = c.has("class_id") ? p.classId(classId(c)) : p;
                    yield p.named(name);
                }
                case "Recall" -> {
                    Recall r = c.has("thresholds") ? new Recall(threshold(c)) : new Recall();
                    r = c.has("top_k") ? r.topK(c.positiveInt("top_k")) : r;
                    r = c.has("class_id") ? r.classId(classId(c)) : r;
                    yield r.named(name);
                }
                case "AUC" -> {
                    requireValue(c, "curve", "ROC");
                    requireValue(c, "summation_method", "interpolation");
                    requireAbsentOrFalse(c, "multi_label");
                    requireAbsentOrFalse(c, "from_logits");
                    for (String f : List.of("thresholds", "num_labels", "label_weights")) {
                        if (c.has(f)) {
                            throw c.fail(f, "is set; Kiln's AUC takes only num_thresholds");
                        }
                    }
                    yield new AUC(c.has("num_thresholds") ? c.positiveInt("num_thresholds") : 200).named(name);
                }
                case "TopKCategoricalAccuracy" ->
                        new TopKCategoricalAccuracy(c.has("k") ? c.positiveInt("k") : 5).named(name);
                case "SparseTopKCategoricalAccuracy" ->
                        new SparseTopKCategoricalAccuracy(c.has("k") ? c.positiveInt("k") : 5).named(name);
                default -> throw node.fail("class_name", "is '" + type + "'; this Kiln reads metric names and"
                        + " Precision, Recall, AUC, TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy objects");
            };
        } catch (IllegalArgumentException e) {
            throw compile.fail(field, e.getMessage());
        }
    }

    /** Keras takes a float or a list; Kiln's Precision and Recall take one threshold. */
    private static double threshold(JsonFields c) throws ModelFormatException {
        JsonNode t = c.raw("thresholds");
        if (t.isArray() && t.size() == 1) {
            t = t.get(0);
        }
        if (!t.isNumber() || !Double.isFinite(t.doubleValue())) {
            throw c.fail("thresholds", "must be one number in [0, 1], found " + t);
        }
        return t.doubleValue();
    }

    private static int classId(JsonFields c) throws ModelFormatException {
        JsonNode v = c.raw("class_id");
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
            throw c.fail("class_id", "must be a class index >= 0, found " + v);
        }
        return v.intValue();
    }

    private static void requireValue(JsonFields c, String field, String only) throws ModelFormatException {
        if (c.has(field) && !c.text(field).equals(only)) {
            throw c.fail(field, "is '" + c.text(field) + "'; Kiln's AUC supports only \"" + only + "\"");
        }
    }

    private static void requireAbsentOrFalse(JsonFields c, String field) throws ModelFormatException {
        if (c.has(field) && c.bool(field)) {
            throw c.fail(field, "is true; Kiln's AUC does not support it");
        }
    }
}
