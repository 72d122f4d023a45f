package dev.kiln.losses;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.CategoricalCrossEntropyLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code CategoricalCrossentropy}: one-hot (or soft) target rows against a probability per
 * class, computed as Keras does (each row normalised to sum to 1, then clipped to [1e-7, 1 − 1e-7]);
 * with {@code fromLogits} the outputs are raw scores. With {@code labelSmoothing} ε each target t counts
 * as t·(1 − ε) + ε/K for K classes. Also by name: {@code "categorical_crossentropy"}.
 *
 * <pre>{@code
 * model.compile("adam", new CategoricalCrossentropy(false, 0.1), "accuracy");
 * }</pre>
 */
public record CategoricalCrossentropy(boolean fromLogits, double labelSmoothing) implements Loss {
    public CategoricalCrossentropy {
        new CategoricalCrossEntropyLoss(fromLogits, (float) labelSmoothing); // the engine's range check
    }

    public CategoricalCrossentropy(boolean fromLogits) {
        this(fromLogits, 0.0);
    }

    public CategoricalCrossentropy() {
        this(false);
    }

    @Override
    public String name() {
        return "categorical_crossentropy";
    }

    @Override
    public LossFunction function() {
        return new CategoricalCrossEntropyLoss(fromLogits, (float) labelSmoothing);
    }

    /** Refuses a single output: one unit has no classes to choose between. */
    @Override
    public void checkOutput(int outputs, Activation lastActivation) {
        if (outputs < 2) {
            throw new IllegalArgumentException("loss 'categorical_crossentropy' needs at least 2 outputs (one per class,"
                    + " one-hot targets) but the model has " + outputs
                    + "; for two classes use one sigmoid unit with binary_crossentropy");
        }
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        CrossentropyConfig.write(config, fromLogits, labelSmoothing);
    }

    /** Reads the loss back from its Keras config. */
    public static CategoricalCrossentropy fromConfig(ConfigReader config) throws ModelFormatException {
        return new CategoricalCrossentropy(CrossentropyConfig.fromLogits(config),
                CrossentropyConfig.labelSmoothing(config));
    }
}
