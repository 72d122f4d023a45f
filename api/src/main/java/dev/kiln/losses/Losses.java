package dev.kiln.losses;

import dev.kiln.core.runtime.LossFunction;
import dev.kiln.internal.NameRegistry;
import java.util.List;

/**
 * Keras' losses by name or factory: mean_squared_error (mse), mean_absolute_error (mae),
 * binary_crossentropy, categorical_crossentropy and sparse_categorical_crossentropy. The
 * probability forms clip to [1e-7, 1 − 1e-7]; pass {@code fromLogits = true} when the last layer
 * has no activation.
 *
 * <pre>{@code
 * Loss l = Losses.resolve("mse");
 * Loss ce = Losses.categoricalCrossentropy(true);
 * }</pre>
 */
public final class Losses {
    private static final NameRegistry<Loss> REGISTRY = new NameRegistry<Loss>("loss")
            .add(Losses::meanSquaredError, "mean_squared_error", "mse")
            .add(Losses::meanAbsoluteError, "mean_absolute_error", "mae")
            .add(() -> binaryCrossentropy(false), "binary_crossentropy", "bce")
            .add(() -> categoricalCrossentropy(false), "categorical_crossentropy")
            .add(() -> sparseCategoricalCrossentropy(false), "sparse_categorical_crossentropy");

    private Losses() {
    }

    public static Loss resolve(String name) {
        return REGISTRY.resolve(name);
    }

    public static List<String> names() {
        return REGISTRY.names();
    }

    public static Loss meanSquaredError() {
        return new Loss("mean_squared_error", LossFunction.MEAN_SQUARED_ERROR);
    }

    public static Loss meanAbsoluteError() {
        return new Loss("mean_absolute_error", LossFunction.MEAN_ABSOLUTE_ERROR);
    }

    public static Loss binaryCrossentropy(boolean fromLogits) {
        return new Loss("binary_crossentropy",
                fromLogits ? LossFunction.BINARY_CROSS_ENTROPY_FROM_LOGITS : LossFunction.BINARY_CROSS_ENTROPY);
    }

    public static Loss categoricalCrossentropy(boolean fromLogits) {
        return new Loss("categorical_crossentropy", fromLogits
                ? LossFunction.CATEGORICAL_CROSS_ENTROPY_FROM_LOGITS : LossFunction.CATEGORICAL_CROSS_ENTROPY);
    }

    public static Loss sparseCategoricalCrossentropy(boolean fromLogits) {
        return new Loss("sparse_categorical_crossentropy", fromLogits
                ? LossFunction.SPARSE_CATEGORICAL_CROSS_ENTROPY_FROM_LOGITS
                : LossFunction.SPARSE_CATEGORICAL_CROSS_ENTROPY);
    }
}
