package dev.kiln.layers;

import dev.kiln.activations.Activations;
import dev.kiln.core.kernel.Activation;
import dev.kiln.io.LayerConfigReader;
import dev.kiln.io.LayerConfigWriter;
import dev.kiln.io.ModelFormatException;

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

    public static ActivationLayer fromConfig(LayerConfigReader config) throws ModelFormatException {
        return new ActivationLayer(config.text("activation"));
    }

    @Override
    public void writeConfig(LayerConfigWriter config) {
        config.put("activation", activation);
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
