package dev.kiln.losses;

import dev.kiln.internal.CustomObjectRegistry;
import dev.kiln.internal.KerasClasses;
import dev.kiln.internal.NameRegistry;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ModelFormatException;
import dev.kiln.ops.LossExpression;
import java.util.List;
import java.util.function.Supplier;

/**
 * Keras' losses by name or factory: mean_squared_error (mse), mean_absolute_error (mae),
 * binary_crossentropy (bce), categorical_crossentropy, sparse_categorical_crossentropy, huber,
 * mean_squared_logarithmic_error (msle), log_cosh, poisson, mean_absolute_percentage_error (mape), hinge,
 * squared_hinge, categorical_hinge and kl_divergence (kld); and by Keras class name, read back from a saved
 * config. The probability forms clip to [1e-7, 1 − 1e-7];
 * pass {@code fromLogits = true} when the last layer has no activation. Each loss is one line here.
 *
 * <pre>{@code
 * Loss l = Losses.resolve("mse");
 * Loss ce = Losses.categoricalCrossentropy(true);
 * Loss smoothed = Losses.categoricalCrossentropy(false, 0.1);
 * }</pre>
 */
public final class Losses {
    /** Reads one loss class from its Keras config. */
    @FunctionalInterface
    interface Reader {
        Loss read(ConfigReader config) throws ModelFormatException;
    }

    private static final NameRegistry<Loss> NAMES = new NameRegistry<Loss>("loss");
    private static final KerasClasses<Reader> CLASSES = new KerasClasses<Reader>();

    static {
        register(MeanSquaredError.class, MeanSquaredError::new, MeanSquaredError::fromConfig, "mean_squared_error", "mse");
        register(MeanAbsoluteError.class, MeanAbsoluteError::new, MeanAbsoluteError::fromConfig, "mean_absolute_error",
                "mae");
        register(BinaryCrossentropy.class, BinaryCrossentropy::new, BinaryCrossentropy::fromConfig,
                "binary_crossentropy", "bce");
        register(CategoricalCrossentropy.class, CategoricalCrossentropy::new, CategoricalCrossentropy::fromConfig,
                "categorical_crossentropy");
        register(SparseCategoricalCrossentropy.class, SparseCategoricalCrossentropy::new,
                SparseCategoricalCrossentropy::fromConfig, "sparse_categorical_crossentropy");
        register(Huber.class, Huber::new, Huber::fromConfig, "huber");
        register(MeanSquaredLogarithmicError.class, MeanSquaredLogarithmicError::new,
                MeanSquaredLogarithmicError::fromConfig, "mean_squared_logarithmic_error", "msle");
        register(LogCosh.class, LogCosh::new, LogCosh::fromConfig, "log_cosh");
        register(Poisson.class, Poisson::new, Poisson::fromConfig, "poisson");
        register(MeanAbsolutePercentageError.class, MeanAbsolutePercentageError::new,
                MeanAbsolutePercentageError::fromConfig, "mean_absolute_percentage_error", "mape");
        register(Hinge.class, Hinge::new, Hinge::fromConfig, "hinge");
        register(SquaredHinge.class, SquaredHinge::new, SquaredHinge::fromConfig, "squared_hinge");
        register(CategoricalHinge.class, CategoricalHinge::new, CategoricalHinge::fromConfig, "categorical_hinge");
        register(KLDivergence.class, KLDivergence::new, KLDivergence::fromConfig, "kl_divergence", "kld");
    }

    private Losses() {
    }

    private static <T extends Loss> void register(Class<T> type, Supplier<T> withDefaults, Reader reader, String name,
            String... aliases) {
        NAMES.add(withDefaults::get, name, aliases);
        CLASSES.add(type, reader);
    }

    public static Loss resolve(String name) {
        return NAMES.resolve(name);
    }

    public static List<String> names() {
        return NAMES.names();
    }

    /** The Keras class names saved losses are read by, for messages. */
    public static String classNames() {
        return CLASSES.described();
    }

    /**
     * The loss of Keras class {@code className} read from its config (Keras' deserialize), or null when no
     * loss has that class name.
     */
    public static Loss fromConfig(String className, ConfigReader config) throws ModelFormatException {
        Reader reader = CLASSES.reader(className);
        return reader == null ? null : reader.read(config);
    }

    /**
     * The user's own loss, written with {@link dev.kiln.ops.Ops} as Keras' {@code fn(y_true, y_pred)}: one value
     * per sample ({@code Ops.mean(..., -1)}), or a tensor as wide as the output whose mean over the last axis is
     * taken. {@code name} is the loss's name, optionally with its package ({@code "my_package>focal"}; Keras'
     * {@code "Custom"} when none): it is saved by that registered name, and made it is registered under it,
     * as Keras' {@code register_keras_serializable} registers the function it decorates, so a program that
     * defines the loss can load models saved with it.
     */
    public static CustomLoss custom(String name, LossExpression function) {
        CustomLoss loss = new CustomLoss(name, function);
        CustomObjectRegistry.register(loss.registeredName(), loss);
        return loss;
    }

    public static MeanSquaredError meanSquaredError() {
        return new MeanSquaredError();
    }

    public static MeanAbsoluteError meanAbsoluteError() {
        return new MeanAbsoluteError();
    }

    public static BinaryCrossentropy binaryCrossentropy(boolean fromLogits) {
        return new BinaryCrossentropy(fromLogits);
    }

    /** Binary cross-entropy with Keras' label_smoothing ε: each target t counts as t·(1 − ε) + ε/2. */
    public static BinaryCrossentropy binaryCrossentropy(boolean fromLogits, double labelSmoothing) {
        return new BinaryCrossentropy(fromLogits, labelSmoothing);
    }

    public static CategoricalCrossentropy categoricalCrossentropy(boolean fromLogits) {
        return new CategoricalCrossentropy(fromLogits);
    }

    /** Categorical cross-entropy with Keras' label_smoothing ε: each target t counts as t·(1 − ε) + ε/K. */
    public static CategoricalCrossentropy categoricalCrossentropy(boolean fromLogits, double labelSmoothing) {
        return new CategoricalCrossentropy(fromLogits, labelSmoothing);
    }

    public static SparseCategoricalCrossentropy sparseCategoricalCrossentropy(boolean fromLogits) {
        return new SparseCategoricalCrossentropy(fromLogits);
    }

    /** Huber loss with Keras' default δ = 1. */
    public static Huber huber() {
        return new Huber();
    }

    /** Huber loss: quadratic for errors up to δ, linear beyond. */
    public static Huber huber(double delta) {
        return new Huber(delta);
    }

    public static MeanSquaredLogarithmicError meanSquaredLogarithmicError() {
        return new MeanSquaredLogarithmicError();
    }

    public static LogCosh logCosh() {
        return new LogCosh();
    }

    public static Poisson poisson() {
        return new Poisson();
    }

    public static MeanAbsolutePercentageError meanAbsolutePercentageError() {
        return new MeanAbsolutePercentageError();
    }

    public static Hinge hinge() {
        return new Hinge();
    }

    public static SquaredHinge squaredHinge() {
        return new SquaredHinge();
    }

    public static CategoricalHinge categoricalHinge() {
        return new CategoricalHinge();
    }

    public static KLDivergence klDivergence() {
        return new KLDivergence();
    }
}
