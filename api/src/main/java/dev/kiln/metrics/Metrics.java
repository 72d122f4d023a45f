package dev.kiln.metrics;

import dev.kiln.internal.NameRegistry;
import java.util.List;

/**
 * Metrics by Keras name: accuracy (acc), binary_accuracy, categorical_accuracy,
 * sparse_categorical_accuracy, mae (mean_absolute_error), mse (mean_squared_error).
 *
 * <pre>{@code
 * Metric m = Metrics.resolve("accuracy");
 * }</pre>
 */
public final class Metrics {
    private static final NameRegistry<Metric.Kind> REGISTRY = new NameRegistry<Metric.Kind>("metric")
            .add(() -> Metric.Kind.ACCURACY, "accuracy", "acc")
            .add(() -> Metric.Kind.BINARY_ACCURACY, "binary_accuracy")
            .add(() -> Metric.Kind.CATEGORICAL_ACCURACY, "categorical_accuracy")
            .add(() -> Metric.Kind.SPARSE_CATEGORICAL_ACCURACY, "sparse_categorical_accuracy")
            .add(() -> Metric.Kind.MAE, "mae", "mean_absolute_error")
            .add(() -> Metric.Kind.MSE, "mse", "mean_squared_error");

    private Metrics() {
    }

    /** The metric for {@code name}; the name is kept as given, and it is the History key. */
    public static Metric resolve(String name) {
        return new Metric(name, REGISTRY.resolve(name));
    }

    public static List<String> names() {
        return REGISTRY.names();
    }

    public static Metric accuracy() {
        return resolve("accuracy");
    }

    public static Metric meanAbsoluteError() {
        return resolve("mae");
    }

    public static Metric meanSquaredError() {
        return resolve("mse");
    }
}
