package dev.kiln.losses;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code SparseCategoricalCrossentropy}: categorical cross-entropy with one class index per
 * example ({@code int[]} targets) instead of one-hot rows; with {@code fromLogits} the outputs are raw
 * scores. Also by name: {@code "sparse_categorical_crossentropy"}.
 *
 * <pre>{@code
 * model.compile("adam", new SparseCategoricalCrossentropy(true), "accuracy");
 * }</pre>
 */
public record SparseCategoricalCrossentropy(boolean fromLogits) implements Loss {
    public SparseCategoricalCrossentropy() {
        this(false);
    }

    @Override
    public String name() {
        return "sparse_categorical_crossentropy";
    }

    @Override
    public boolean sparseTargets() {
        return true;
    }

    @Override
    public LossFunction function() {
        return new SparseCategoricalCrossEntropyLoss(fromLogits);
    }

    /** Refuses a single output: one unit has no classes to choose between. */
    @Override
    public void checkOutput(int outputs, Activation lastActivation) {
        if (outputs < 2) {
            throw new IllegalArgumentException("loss 'sparse_categorical_crossentropy' needs at least 2 outputs"
                    + " (one per class) but the model has " + outputs
                    + "; for two classes use one sigmoid unit with binary_crossentropy");
        }
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("from_logits", fromLogits);
    }

    /** Reads the loss back from its Keras config. */
    public static SparseCategoricalCrossentropy fromConfig(ConfigReader config) throws ModelFormatException {
        return new SparseCategoricalCrossentropy(CrossentropyConfig.fromLogits(config));
    }
}
