package dev.kiln;

import dev.kiln.core.kernel.Activation;
import dev.kiln.layers.ActivationLayer;
import dev.kiln.layers.DenseLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.losses.Loss;
import java.util.List;

/**
 * Refuses a loss that cannot train the model's output, before any weight exists: finds the output's
 * width and the activation that makes it, and lets the loss judge them ({@link Loss#checkOutput}): a
 * class-index or one-hot loss on one unit, binary cross-entropy after a softmax. Keras accepts these and
 * then trains to nothing; a clear refusal at {@code compile} costs less than an afternoon of flat loss
 * curves.
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

    /** The loss's own check of an output of {@code outputs} values made by the model's last activation. */
    static void check(List<Layer> layers, Loss loss, int outputs) {
        loss.checkOutput(outputs, lastActivation(layers));
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
