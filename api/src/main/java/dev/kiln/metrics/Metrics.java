package dev.kiln.metrics;

import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.internal.KerasClasses;
import dev.kiln.internal.NameRegistry;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ModelFormatException;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.ops.LossExpression;
import java.util.List;
import java.util.function.Function;

/**
 * Metrics by Keras name: accuracy (acc), binary_accuracy, categorical_accuracy,
 * sparse_categorical_accuracy, mae (mean_absolute_error), mse (mean_squared_error), precision, recall,
 * auc, top_k_categorical_accuracy, sparse_top_k_categorical_accuracy, root_mean_squared_error, r2_score;
 * and the losses Keras also takes as metrics: mape (mean_absolute_percentage_error), msle
 * (mean_squared_logarithmic_error), poisson, kl_divergence, hinge, squared_hinge, categorical_hinge. The
 * classes among them ({@link Precision}, {@link Recall}, {@link AUC}, {@link TopKCategoricalAccuracy},
 * {@link SparseTopKCategoricalAccuracy}, {@link RootMeanSquaredError}, {@link R2Score}) take their options
 * from the name as Keras' defaults, and are
 * read back from a saved config by their Keras class name. Each metric is one line here.
 *
 * <pre>{@code
 * Metric m = Metrics.resolve("accuracy");
 * }</pre>
 */
public final class Metrics {
    /** Reads one metric class from its Keras config. */
    @FunctionalInterface
    interface Reader {
        Metric read(ConfigReader config) throws ModelFormatException;
    }

    /** Each entry makes the metric under the name the user gave, which is its History key. */
    private static final NameRegistry<Function<String, Metric>> NAMES =
            new NameRegistry<Function<String, Metric>>("metric");
    private static final KerasClasses<Reader> CLASSES = new KerasClasses<Reader>();

    static {
        function(Metric.Kind.ACCURACY, "accuracy", "acc");
        function(Metric.Kind.BINARY_ACCURACY, "binary_accuracy");
        function(Metric.Kind.CATEGORICAL_ACCURACY, "categorical_accuracy");
        function(Metric.Kind.SPARSE_CATEGORICAL_ACCURACY, "sparse_categorical_accuracy");
        function(Metric.Kind.MAE, "mae", "mean_absolute_error");
        function(Metric.Kind.MSE, "mse", "mean_squared_error");
        register(Precision.class, name -> new Precision().named(name), Precision::fromConfig, "precision");
        register(Recall.class, name -> new Recall().named(name), Recall::fromConfig, "recall");
        register(AUC.class, name -> new AUC().named(name), AUC::fromConfig, "auc");
        register(TopKCategoricalAccuracy.class, name -> new TopKCategoricalAccuracy().named(name),
                TopKCategoricalAccuracy::fromConfig, "top_k_categorical_accuracy");
        register(SparseTopKCategoricalAccuracy.class, name -> new SparseTopKCategoricalAccuracy().named(name),
                SparseTopKCategoricalAccuracy::fromConfig, "sparse_top_k_categorical_accuracy");
        register(RootMeanSquaredError.class, name -> new RootMeanSquaredError().named(name),
                RootMeanSquaredError::fromConfig, "root_mean_squared_error");
        register(R2Score.class, name -> new R2Score().named(name), R2Score::fromConfig, "r2_score");
        // The loss functions Keras also takes as metric names.
        loss(Losses.meanAbsolutePercentageError(), "mean_absolute_percentage_error", "mape");
        loss(Losses.meanSquaredLogarithmicError(), "mean_squared_logarithmic_error", "msle");
        loss(Losses.poisson(), "poisson");
        loss(Losses.klDivergence(), "kl_divergence");
        loss(Losses.hinge(), "hinge");
        loss(Losses.squaredHinge(), "squared_hinge");
        loss(Losses.categoricalHinge(), "categorical_hinge");
    }

    private Metrics() {
    }

    /** A metric of Keras' metric functions, known by name only and saved as its name. */
    private static void function(Metric.Kind kind, String name, String... aliases) {
        NAMES.add(() -> given -> new Metric(given, kind), name, aliases);
    }

    /** A loss function as a metric: its mean per row, saved as its name. */
    private static void loss(Loss loss, String name, String... aliases) {
        NAMES.add(() -> given -> new LossMetric(given, loss), name, aliases);
    }

    /** A metric class: made by name with Keras' defaults, and read back by its Keras class name. */
    private static void register(Class<? extends Metric> type, Function<String, Metric> named, Reader reader,
            String name) {
        NAMES.add(() -> named, name);
        CLASSES.add(type, reader);
    }

    /** The metric for {@code name}; the name is kept as given, and it is the History key. */
    public static Metric resolve(String name) {
        return NAMES.resolve(name).apply(name);
    }

    public static List<String> names() {
        return NAMES.names();
    }

    /** The Keras class names saved metric objects are read by, for messages. */
    public static String classNames() {
        return CLASSES.described();
    }

    /**
     * The metric of Keras class {@code className} read from its config (Keras' deserialize), or null when
     * no metric has that class name.
     */
    public static Metric fromConfig(String className, ConfigReader config) throws ModelFormatException {
        Reader reader = CLASSES.reader(className);
        return reader == null ? null : reader.read(config);
    }

    /**
     * The user's own metric, written with {@link dev.kiln.ops.Ops} as Keras' {@code fn(y_true, y_pred)}: the
     * mean over the epoch of its per-sample values, in History under {@code name} (without its package, if
     * {@code "package>name"} gives one). Saved by its registered name, under which it is registered when made
     * (as {@link dev.kiln.losses.Losses#custom} does).
     */
    public static CustomMetric custom(String name, LossExpression function) {
        CustomMetric metric = CustomMetric.of(name, function);
        CustomObjectRegistry.register(metric.registeredName(), metric);
        return metric;
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
