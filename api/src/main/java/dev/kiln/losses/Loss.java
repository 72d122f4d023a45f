package dev.kiln.losses;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigWriter;

/**
 * A loss as {@code compile} takes it: a value that carries its parameters (whether it reads logits,
 * its label smoothing) and owns everything about itself: its engine {@link #function()} (kernels,
 * target width, the output activation it absorbs), its check against the model's output, and its Keras
 * config ({@link #writeConfig}, and a static {@code fromConfig} that {@link Losses} registers under its
 * Keras class name). Its Java class is named as Keras' class. Per-sample losses are averaged over the
 * batch, as Keras' default reduction does.
 *
 * <pre>{@code
 * model = Sequential.of(Dense(10)).compile("adam", Losses.sparseCategoricalCrossentropy(true));
 * model = Sequential.of(Dense(10, "softmax")).compile("adam", new CategoricalCrossentropy(false, 0.1));
 * }</pre>
 */
public interface Loss {
    /** The Keras name, e.g. {@code sparse_categorical_crossentropy}. */
    String name();

    /** True when the loss reads raw scores rather than probabilities. */
    default boolean fromLogits() {
        return false;
    }

    /** True when targets are class indices ({@code int[]}) rather than rows as wide as the output. */
    default boolean sparseTargets() {
        return false;
    }

    /** True when every target must be a probability in [0, 1] (checked before training). */
    default boolean targetsAreProbabilities() {
        return false;
    }

    /** The engine's form of this loss. */
    LossFunction function();

    /**
     * Refuses, with an {@link IllegalArgumentException} saying why and what would work, a model output
     * this loss cannot train: {@code outputs} values per example, produced by {@code lastActivation}.
     */
    default void checkOutput(int outputs, Activation lastActivation) {
    }

    /**
     * Writes this loss's parameters into its Keras config after its name. A loss equal to the one its
     * name gives ({@link Losses#resolve}) is saved as that name and writes no config.
     */
    default void writeConfig(ConfigWriter config) {
    }
}
