package dev.kiln;

import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The losses, loss weights and metrics of a model with several outputs, as Keras' {@code compile(loss=...,
 * loss_weights=..., metrics=...)} takes them: one per output in the order of the model's outputs
 * ({@link #of}), or by output layer name ({@link #byName}). The model minimizes Σ weight · loss (each
 * weight 1 unless given), and History and {@code evaluate} report the total as {@code loss}, each output's
 * own (unweighted) loss as {@code <output>_loss} and its metrics as {@code <output>_<metric>}.
 *
 * <pre>{@code
 * var in = Input(8);
 * var h = Dense(32, "relu").apply(in);
 * var kind = Dense(3, "softmax").named("kind").apply(h);
 * var size = Dense(1).named("size").apply(h);
 * Model model = Model.of(in, List.of(kind, size)).compile("adam",
 *         OutputLosses.of("sparse_categorical_crossentropy", "mse")
 *                 .weights(1.0, 0.5)
 *                 .metrics(List.of("accuracy"), List.of("mae")));
 * History h = model.fit(x, List.of(kindLabels, sizes), epochs(5));   // kind_accuracy, size_mae, ...
 * }</pre>
 *
 * Immutable: {@link #weights} and {@link #metrics} return a new value.
 */
public final class OutputLosses {
    private final List<Loss> losses;
    private final Map<String, Loss> lossesByName;
    private final List<Double> weights;
    private final Map<String, Double> weightsByName;
    private final List<List<Metric>> metrics;
    private final Map<String, List<Metric>> metricsByName;

    private OutputLosses(List<Loss> losses, Map<String, Loss> lossesByName, List<Double> weights,
            Map<String, Double> weightsByName, List<List<Metric>> metrics, Map<String, List<Metric>> metricsByName) {
        this.losses = losses;
        this.lossesByName = lossesByName;
        this.weights = weights;
        this.weightsByName = weightsByName;
        this.metrics = metrics;
        this.metricsByName = metricsByName;
    }

    /** One loss per output, in the order of the model's outputs: names ({@code "mse"}) or {@link Loss}es. */
    public static OutputLosses of(Object... losses) {
        if (losses == null || losses.length == 0) {
            throw new IllegalArgumentException("no loss given; expected one per output");
        }
        List<Loss> out = new ArrayList<>();
        for (int k = 0; k < losses.length; k++) {
            out.add(loss(losses[k], "loss " + k));
        }
        return new OutputLosses(List.copyOf(out), null, null, null, null, null);
    }

    /** A loss per output layer name: names ({@code "mse"}) or {@link Loss}es; every output needs one. */
    public static OutputLosses byName(Map<String, ?> losses) {
        if (losses == null || losses.isEmpty()) {
            throw new IllegalArgumentException("no loss given; expected one per output, keyed by output name");
        }
        Map<String, Loss> out = new LinkedHashMap<>();
        losses.forEach((name, loss) -> out.put(name, loss(loss, "loss of output '" + name + "'")));
        return new OutputLosses(null, out, null, null, null, null);
    }

    /** The weight of each output's loss in the total, in the order of the outputs (Keras' default: 1 each). */
    public OutputLosses weights(double... weights) {
        List<Double> out = new ArrayList<>();
        for (double w : weights) {
            out.add(weight(w, "loss weight " + out.size()));
        }
        return new OutputLosses(losses, lossesByName, List.copyOf(out), null, metrics, metricsByName);
    }

    /** The weight of the loss of the outputs named here; the others keep weight 1. */
    public OutputLosses weights(Map<String, ? extends Number> weights) {
        Map<String, Double> out = new LinkedHashMap<>();
        weights.forEach((name, w) -> out.put(name, weight(w == null ? Double.NaN : w.doubleValue(),
                "loss weight of output '" + name + "'")));
        return new OutputLosses(losses, lossesByName, null, out, metrics, metricsByName);
    }

    /**
     * The metrics of each output, in the order of the outputs: a list of names ({@code "accuracy"}) or
     * {@link Metric}s per output, empty for none.
     */
    @SafeVarargs
    public final OutputLosses metrics(List<?>... metrics) {
        List<List<Metric>> out = new ArrayList<>();
        for (List<?> perOutput : metrics) {
            out.add(metricList(perOutput, "metrics " + out.size()));
        }
        return new OutputLosses(losses, lossesByName, weights, weightsByName, List.copyOf(out), null);
    }

    /** The metrics of the outputs named here, each a list of names or {@link Metric}s; the others have none. */
    public OutputLosses metrics(Map<String, ? extends List<?>> metrics) {
        Map<String, List<Metric>> out = new LinkedHashMap<>();
        metrics.forEach((name, list) -> out.put(name, metricList(list, "metrics of output '" + name + "'")));
        return new OutputLosses(losses, lossesByName, weights, weightsByName, null, out);
    }

    /** Resolves these settings against the model's output names, refusing counts and names that do not match. */
    OutputScoring resolve(List<String> outputNames) {
        int n = outputNames.size();
        List<Loss> perOutput = losses != null ? requireCount(losses, n, "losses")
                : inOrder(lossesByName, outputNames, null, "losses", true);
        List<Double> w = weights != null ? requireCount(weights, n, "loss weights")
                : weightsByName != null ? inOrder(weightsByName, outputNames, 1.0, "loss weights", false)
                : null;
        List<List<Metric>> m = metrics != null ? requireCount(metrics, n, "metric lists")
                : metricsByName != null ? inOrder(metricsByName, outputNames, List.of(), "metrics", false)
                : null;
        float[] floats = new float[n];
        List<List<Metric>> metricLists = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            floats[k] = w == null ? 1f : (float) (double) w.get(k);
            metricLists.add(m == null ? List.of() : m.get(k));
        }
        return new OutputScoring(outputNames, perOutput, floats, metricLists);
    }

    private static <T> List<T> requireCount(List<T> values, int outputs, String what) {
        if (values.size() != outputs) {
            throw new IllegalArgumentException(values.size() + " " + what + " were given for a model with " + outputs
                    + " outputs; expected one per output, in the order of the outputs");
        }
        return values;
    }

    private static <T> List<T> inOrder(Map<String, T> byName, List<String> outputNames, T missing, String what,
            boolean required) {
        for (String name : byName.keySet()) {
            if (!outputNames.contains(name)) {
                throw new IllegalArgumentException(what + " name output '" + name + "', which the model does not have;"
                        + " its outputs are " + outputNames);
            }
        }
        List<T> out = new ArrayList<>();
        for (String name : outputNames) {
            T value = byName.get(name);
            if (value == null && required) {
                throw new IllegalArgumentException("no loss was given for output '" + name + "'; " + what
                        + " by name need one for each of " + outputNames);
            }
            out.add(value == null ? missing : value);
        }
        return out;
    }

    private static Loss loss(Object loss, String what) {
        if (loss instanceof Loss l) {
            return l;
        }
        if (loss instanceof String name) {
            return Losses.resolve(name);
        }
        throw new IllegalArgumentException(what + " is " + loss + "; expected a name such as 'mse' or a Loss");
    }

    private static double weight(double w, String what) {
        if (!(w >= 0) || Double.isInfinite(w)) {
            throw new IllegalArgumentException(what + " is " + w + "; expected a finite number >= 0");
        }
        return w;
    }

    private static List<Metric> metricList(List<?> metrics, String what) {
        if (metrics == null) {
            throw new IllegalArgumentException(what + " is null; expected a list of names or Metrics, empty for none");
        }
        List<Metric> out = new ArrayList<>();
        for (Object m : metrics) {
            if (m instanceof Metric metric) {
                out.add(metric);
            } else if (m instanceof String name) {
                out.add(Metrics.resolve(name));
            } else {
                throw new IllegalArgumentException(what + " holds " + m + "; expected a name such as 'accuracy' or a"
                        + " Metric");
            }
        }
        return List.copyOf(out);
    }
}
