package dev.kiln.metrics;

import dev.kiln.internal.NameRegistry;
import java.util.List;
import java.util.function.Function;

/**
 * Metrics by Keras name: accuracy (acc), binary_accuracy, categorical_accuracy,
 * sparse_categorical_accuracy, mae (mean_absolute_error), mse (mean_squared_error), precision, recall,
 * auc, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy. The last five are also classes
 * ({@link Precision}, {@link Recall}, {@link AUC}, {@link TopKCategoricalAccuracy},
 * {@link SparseTopKCategoricalAccuracy}) whose options the name gives Keras' defaults.
 *
 * <pre>{@code
 * Metric m = Metrics.resolve("accuracy");
 * }</pre>
 */
public final class Metrics {
    /** Each entry makes the metric under the name the user gave, which is its History key. */
    private static final NameRegistry<Function<String, Metric>> REGISTRY = new NameRegistry<Function<String, Metric>>("metric")
            .add(() -> kind(Metric.Kind.ACCURACY), "accuracy", "acc")
            .add(() -> kind(Metric.Kind.BINARY_ACCURACY), "binary_accuracy")
            .add(() -> kind(Metric.Kind.CATEGORICAL_ACCURACY), "categorical_accuracy")
            .add(() -> kind(Metric.Kind.SPARSE_CATEGORICAL_ACCURACY), "sparse_categorical_accuracy")
            .add(() -> kind(Metric.Kind.MAE), "mae", "mean_absolute_error")
            .add(() -> kind(Metric.Kind.MSE), "mse", "mean_squared_error")
            .add(() -> name -> new Precision().named(name), "precision")
            .add(() -> name -> new Recall().named(name), "recall")
            .add(() -> name -> new AUC().named(name), "auc")
            .add(() -> name -> new TopKCategoricalAccuracy().named(name), "top_k_categorical_accuracy")
            .add(() -> name -> new SparseTopKCategoricalAccuracy().named(name), "sparse_top_k_categorical_accuracy");

    private Metrics() {
    }

    private static Function<String, Metric> kind(Metric.Kind kind) {
        return name -> new Metric(name, kind);
    }

    /** The metric for {@code name}; the name is kept as given, and it is the History key. */
    public static Metric resolve(String name) {
        return REGISTRY.resolve(name).apply(name);
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
