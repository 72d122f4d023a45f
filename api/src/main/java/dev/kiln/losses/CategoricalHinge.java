package dev.kiln.losses;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.CategoricalHingeLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigReader;

/**
 * Keras' {@code CategoricalHinge}: with one-hot targets, max(neg − pos + 1, 0) per row, pos the score of the
 * target class and neg the highest score of the other classes, averaged over the batch; the outputs are raw
 * scores (no softmax needed). Also by name: {@code "categorical_hinge"}.
 *
 * <pre>{@code
 * model.compile("adam", new CategoricalHinge(), "accuracy");
 * }</pre>
 */
public record CategoricalHinge() implements Loss {
    @Override
    public String name() {
        return "categorical_hinge";
    }

    @Override
    public LossFunction function() {
        return new CategoricalHingeLoss();
    }

    /** Refuses a single output: one unit has no classes to choose between. */
    @Override
    public void checkOutput(int outputs, Activation lastActivation) {
        if (outputs < 2) {
            throw new IllegalArgumentException("loss 'categorical_hinge' needs at least 2 outputs (one per class,"
                    + " one-hot targets) but the model has " + outputs + "; for two classes use one unit with hinge");
        }
    }

    /** Reads the loss back from its Keras config; it has no parameters. */
    public static CategoricalHinge fromConfig(ConfigReader config) {
        return new CategoricalHinge();
    }
}
