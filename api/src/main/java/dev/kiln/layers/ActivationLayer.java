package dev.kiln.layers;

import dev.kiln.activations.Activations;
import dev.kiln.core.kernel.Activation;

/**
 * Applies an activation on its own, e.g. after a Dense without one.
 *
 * <pre>{@code
 * Sequential.of(Input(784), Dense(128), Activation("relu"), Dense(10, "softmax"))
 * }</pre>
 */
public record ActivationLayer(String activation) implements Layer {
    public ActivationLayer {
        activation = Activations.nameOf(Activations.resolve(activation));
    }

    public Activation activationFunction() {
        return Activations.resolve(activation);
    }

    @Override
    public String typeName() {
        return "Activation";
    }

    @Override
    public String baseName() {
        return "activation";
    }

    @Override
    public int outputWidth(int inputWidth) {
        return inputWidth;
    }
}
