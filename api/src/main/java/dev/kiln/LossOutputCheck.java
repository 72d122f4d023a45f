package dev.kiln;

import dev.kiln.core.kernel.Activation;
import dev.kiln.layers.ActivationLayer;
import dev.kiln.layers.DenseLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.losses.Loss;
import java.util.List;

/**
 * Refuses a loss that cannot train the model's output, before any weight exists: class-index and
 * one-hot losses on fewer than two outputs (one unit has nothing to choose between), and binary
 * cross-entropy after a softmax (it scores each output as an independent probability, but softmax
 * makes them sum to 1, and on one unit always outputs 1). Keras accepts these and then trains to
 * nothing; a clear refusal at {@code compile} costs less than an afternoon of flat loss curves.
 */
final class LossOutputCheck {
    private LossOutputCheck() {
    }

    /** Checks at compile time when the output width does not depend on the data (a Dense or Input decides it). */
    static void atCompile(List<Layer> layers, Loss loss) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            switch (layers.get(i)) {
                case DenseLayer d -> {
                    check(layers, loss, d.units());
                    return;
                }
                case InputLayer in -> {
                    check(layers, loss, in.width());
                    return;
                }
                default -> { }
            }
        }
    }

    static void check(List<Layer> layers, Loss loss, int outputs) {
        String name = loss.name();
        if (loss.sparseTargets() && outputs < 2) {
            throw new IllegalArgumentException("loss '" + name + "' needs at least 2 outputs (one per class)"
                    + " but the model has " + outputs + "; for two classes use one sigmoid unit with binary_crossentropy");
        }
        if (name.equals("categorical_crossentropy") && outputs < 2) {
            throw new IllegalArgumentException("loss 'categorical_crossentropy' needs at least 2 outputs (one per class,"
                    + " one-hot targets) but the model has " + outputs
                    + "; for two classes use one sigmoid unit with binary_crossentropy");
        }
        if (name.equals("binary_crossentropy") && lastActivation(layers) == Activation.SOFTMAX) {
            throw new IllegalArgumentException("loss 'binary_crossentropy' scores each of the " + outputs
                    + " outputs as an independent probability, but the last activation is softmax, which makes them"
                    + " sum to 1" + (outputs == 1 ? " (on one unit it is always 1)" : "")
                    + "; expected 'sigmoid' before binary_crossentropy, or softmax with categorical_crossentropy"
                    + " or sparse_categorical_crossentropy");
        }
    }

    /** The activation that produces the model's output; Dropout passes its input through. */
    static Activation lastActivation(List<Layer> layers) {
        for (int i = layers.size() - 1; i >= 0; i--) {
            switch (layers.get(i)) {
                case DenseLayer d -> {
                    return d.activationFunction();
                }
                case ActivationLayer a -> {
                    return a.activationFunction();
                }
                case InputLayer in -> {
                    return Activation.LINEAR;
                }
                default -> { } // Dropout and other shape-keeping layers pass their input's activation on
            }
        }
        return Activation.LINEAR;
    }
}
