package dev.kiln.layers;

import dev.kiln.activations.Activations;
import dev.kiln.core.kernel.Activation;
import dev.kiln.initializers.Initializers;

/**
 * A fully connected layer, y = activation(x·kernel + bias), kernel of shape [input, units].
 * Keras' defaults: no activation, a bias, glorot_uniform kernel, zeros bias.
 */
public record DenseLayer(int units, String activation, boolean useBias, String kernelInitializer,
        String biasInitializer) implements Layer {
    public DenseLayer {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense units must be positive, got " + units);
        }
        activation = Activations.nameOf(Activations.resolve(activation));
        Initializers.resolve(kernelInitializer);
        Initializers.resolve(biasInitializer);
    }

    /** The engine activation. */
    public Activation activationFunction() {
        return Activations.resolve(activation);
    }

    @Override
    public String typeName() {
        return "Dense";
    }

    @Override
    public String baseName() {
        return "dense";
    }

    @Override
    public int outputWidth(int inputWidth) {
        return units;
    }

    @Override
    public long parameterCount(int inputWidth) {
        return (long) inputWidth * units + (useBias ? units : 0);
    }
}
