package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.losses.Loss;
import dev.kiln.metrics.Metric;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The {@code compile_config} of a model with several outputs, in each form Keras 3 writes it: {@code loss}
 * one for every output, a list in output order or an object by output name; {@code loss_weights} null
 * (1 each), a list or an object (1 for an output it leaves out); {@code metrics} null, a list with one
 * metric or one list of metrics per output, or an object by output name.
 */
final class OutputCompileConfigs {
    private OutputCompileConfigs() {
    }

    static ModelConfig.PerOutput parse(JsonFields compile, List<String> outputs) throws ModelFormatException {
        int n = outputs.size();
        JsonNode lossNode = compile.raw("loss");
        List<Loss> losses = new ArrayList<>();
        if (lossNode.isArray() || isByName(lossNode)) {
            List<JsonNode> perOutput = perOutput(compile, "loss", lossNode, outputs, true);
            for (JsonNode node : perOutput) {
                losses.add(LossConfigs.parseLoss(node, compile));
            }
        } else {
            losses.addAll(Collections.nCopies(n, LossConfigs.parseLoss(lossNode, compile)));
        }
        List<Double> weights = new ArrayList<>(Collections.nCopies(n, 1.0));
        if (compile.has("loss_weights")) {
            List<JsonNode> perOutput = perOutput(compile, "loss_weights", compile.raw("loss_weights"), outputs, false);
            for (int k = 0; k < n; k++) {
                JsonNode w = perOutput.get(k);
                if (w == null) {
                    continue;
                }
                if (!w.isNumber() || !(w.doubleValue() >= 0) || Double.isInfinite(w.doubleValue())) {
                    throw compile.fail("loss_weights", "of output '" + outputs.get(k) + "' must be a finite number"
                            + " >= 0, found " + Abbreviated.name(w.toString()));
                }
                weights.set(k, w.doubleValue());
            }
        }
        List<List<Metric>> metrics = new ArrayList<>();
        if (!compile.has("metrics") || compile.raw("metrics").isArray() && compile.raw("metrics").isEmpty()) {
            metrics.addAll(Collections.nCopies(n, List.of()));
        } else {
            List<JsonNode> perOutput = perOutput(compile, "metrics", compile.raw("metrics"), outputs, false);
            for (JsonNode node : perOutput) {
                if (node == null || node.isNull()) {
                    metrics.add(List.of());
                } else if (node.isArray()) {
                    metrics.add(MetricConfigs.parseMetrics(node, compile));
                } else {
                    metrics.add(MetricConfigs.parseMetrics(SafeTensors.JSON.createArrayNode().add(node), compile));
                }
            }
        }
        return new ModelConfig.PerOutput(losses, weights, metrics);
    }

    /** A Keras object keyed by output name, rather than a loss or metric object (which has a class_name). */
    private static boolean isByName(JsonNode node) {
        return node.isObject() && !node.has("class_name");
    }

    /** The value of each output in a list (one per output) or an object by output name (null where absent). */
    private static List<JsonNode> perOutput(JsonFields compile, String field, JsonNode node, List<String> outputs,
            boolean required) throws ModelFormatException {
        List<JsonNode> out = new ArrayList<>();
        if (node.isArray()) {
            if (node.size() != outputs.size()) {
                throw compile.fail(field, "lists " + node.size() + " entries for a model with " + outputs.size()
                        + " outputs; expected one per output");
            }
            node.forEach(out::add);
            return out;
        }
        if (!isByName(node)) {
            throw compile.fail(field, "must be a list with one entry per output or an object by output name");
        }
        for (Iterator<String> names = node.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!outputs.contains(name)) {
                throw compile.fail(field, "names output '" + Abbreviated.name(name) + "', which the model does not"
                        + " have");
            }
        }
        for (String name : outputs) {
            JsonNode value = node.get(name);
            if (value == null && required) {
                throw compile.fail(field, "has no entry for output '" + Abbreviated.name(name) + "'");
            }
            out.add(value);
        }
        return out;
    }
}
