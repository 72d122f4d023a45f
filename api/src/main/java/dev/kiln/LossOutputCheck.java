package dev.kiln;

import dev.kiln.core.kernel.Activation;
import dev.kiln.layers.Layer;
import dev.kiln.losses.Loss;
import java.util.List;
import java.util.OptionalInt;

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

    /** Checks at compile time when the layers tell the output width without data (a Dense or Input decides it). */
    static void atCompile(List<Layer> layers, Loss loss) {
        OptionalInt width = OptionalInt.empty();
        for (Layer layer : layers) {
            width = layer.outputWidth(width);
        }
        if (width.isPresent()) {
            check(layers, loss, width.getAsInt());
        }
    }

    /** The loss's own check of an output of {@code outputs} values made by the model's last activation. */
    static void check(List<Layer> layers, Loss loss, int outputs) {
        loss.checkOutput(outputs, lastActivation(layers));
    }

    /** The activation that produces the model's output, each layer saying what it does to its input's. */
    static Activation lastActivation(List<Layer> layers) {
        Activation activation = Activation.LINEAR;
        for (Layer layer : layers) {
            activation = layer.outputActivation(activation);
        }
        return activation;
    }
}
