package dev.kiln.layers;

import dev.kiln.activations.Activations;
import dev.kiln.core.graph.Activate;
import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import java.util.OptionalInt;

/**
 * Applies an activation on its own, e.g. after a Dense without one. Elementwise activations take
 * examples of any shape; softmax needs flat ones (Kiln normalizes over all of an example's values).
 *
 * <pre>{@code
 * Sequential.of(Input(784), Dense(128), Activation("relu"), Dense(10, "softmax"))
 * }</pre>
 */
public record ActivationLayer(String activation) implements Layer {
    public ActivationLayer {
        activation = Activations.nameOf(Activations.resolve(activation));
    }

    public static ActivationLayer fromConfig(ConfigReader config) throws ModelFormatException {
        return new ActivationLayer(config.text("activation"));
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
    public OptionalInt outputWidth(OptionalInt input) {
        return input;
    }

    @Override
    public Activation outputActivation(Activation input) {
        return activationFunction();
    }

    @Override
    public Shape outputShape(Shape input) {
        if (activationFunction() == Activation.SOFTMAX && input.rank() != 1) {
            throw new IllegalArgumentException("(softmax) needs flat examples but gets examples of shape " + input
                    + ": add Flatten() before it");
        }
        return input;
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return lowering.add(new Activate(activationFunction()), input);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("activation", activation);
    }
}
