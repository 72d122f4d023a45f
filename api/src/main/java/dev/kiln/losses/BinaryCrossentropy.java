package dev.kiln.losses;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.BinaryCrossEntropyLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code BinaryCrossentropy}: each output an independent probability of class 1 (one sigmoid
 * unit for two classes, or one per label), each target a probability in [0, 1]. Probabilities are
 * clipped to [1e-7, 1 − 1e-7]; with {@code fromLogits} the outputs are raw scores. With
 * {@code labelSmoothing} ε each target t counts as t·(1 − ε) + ε/2. Also by name:
 * {@code "binary_crossentropy"}, {@code "bce"}.
 *
 * <pre>{@code
 * model.compile("adam", new BinaryCrossentropy(false, 0.1));
 * model.compile("adam", Losses.binaryCrossentropy(true));   // the last layer has no activation
 * }</pre>
 */
public record BinaryCrossentropy(boolean fromLogits, double labelSmoothing) implements Loss {
    public BinaryCrossentropy {
        new BinaryCrossEntropyLoss(fromLogits, (float) labelSmoothing); // the engine's range check
    }

    public BinaryCrossentropy(boolean fromLogits) {
        this(fromLogits, 0.0);
    }

    public BinaryCrossentropy() {
        this(false);
    }

    @Override
    public String name() {
        return "binary_crossentropy";
    }

    @Override
    public boolean targetsAreProbabilities() {
        return true;
    }

    @Override
    public LossFunction function() {
        return new BinaryCrossEntropyLoss(fromLogits, (float) labelSmoothing);
    }

    /**
     * Refuses a softmax output: it makes the outputs sum to 1, but this loss scores each as an independent
     * probability (on one unit softmax always outputs 1). Keras accepts it and then trains to nothing.
     */
    @Override
    public void checkOutput(int outputs, Activation lastActivation) {
        if (lastActivation == Activation.SOFTMAX) {
            throw new IllegalArgumentException("loss 'binary_crossentropy' scores each of the " + outputs
                    + " outputs as an independent probability, but the last activation is softmax, which makes them"
                    + " sum to 1" + (outputs == 1 ? " (on one unit it is always 1)" : "")
                    + "; expected 'sigmoid' before binary_crossentropy, or softmax with categorical_crossentropy"
                    + " or sparse_categorical_crossentropy");
        }
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        CrossentropyConfig.write(config, fromLogits, labelSmoothing);
    }

    /** Reads the loss back from its Keras config. */
    public static BinaryCrossentropy fromConfig(ConfigReader config) throws ModelFormatException {
        return new BinaryCrossentropy(CrossentropyConfig.fromLogits(config), CrossentropyConfig.labelSmoothing(config));
    }
}
