package dev.kiln.layers;

import dev.kiln.activations.Activations;
import dev.kiln.core.graph.Activate;
import dev.kiln.core.graph.BiasAdd;
import dev.kiln.core.graph.MatMul;
import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.initializers.Initializers;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.regularizers.Regularizer;
import dev.kiln.regularizers.Regularizers;
import java.util.OptionalInt;

/**
 * A fully connected layer, y = activation(x·kernel + bias), kernel of shape [input, units].
 * Keras' defaults: no activation, a bias, glorot_uniform kernel, zeros bias, no regularizers
 * ({@code kernelRegularizer} / {@code biasRegularizer} null).
 *
 * <pre>{@code
 * Dense(64, "relu").kernelRegularizer(L2(0.01))   // adds 0.01·Σw² to the loss
 * }</pre>
 */
public record DenseLayer(int units, String activation, boolean useBias, String kernelInitializer,
        String biasInitializer, Regularizer kernelRegularizer, Regularizer biasRegularizer) implements Layer {
    public DenseLayer {
        if (units <= 0) {
            throw new IllegalArgumentException("Dense units must be positive, got " + units);
        }
        activation = Activations.nameOf(Activations.resolve(activation));
        Initializers.resolve(kernelInitializer);
        Initializers.resolve(biasInitializer);
    }

    public DenseLayer(int units, String activation, boolean useBias, String kernelInitializer, String biasInitializer) {
        this(units, activation, useBias, kernelInitializer, biasInitializer, null, null);
    }

    /** This layer with {@code regularizer} on its kernel (null for none). */
    public DenseLayer kernelRegularizer(Regularizer regularizer) {
        return new DenseLayer(units, activation, useBias, kernelInitializer, biasInitializer, regularizer, biasRegularizer);
    }

    /** This layer with the regularizer named {@code name} ("l1", "l2", "l1_l2") on its kernel. */
    public DenseLayer kernelRegularizer(String name) {
        return kernelRegularizer(Regularizers.resolve(name));
    }

    /** This layer with {@code regularizer} on its bias (null for none). */
    public DenseLayer biasRegularizer(Regularizer regularizer) {
        return new DenseLayer(units, activation, useBias, kernelInitializer, biasInitializer, kernelRegularizer, regularizer);
    }

    public DenseLayer biasRegularizer(String name) {
        return biasRegularizer(Regularizers.resolve(name));
    }

    /** The engine activation. */
    public Activation activationFunction() {
        return Activations.resolve(activation);
    }

    public static DenseLayer fromConfig(ConfigReader config) throws ModelFormatException {
        return new DenseLayer(config.positiveInt("units"), config.text("activation"), config.bool("use_bias"),
                config.initializer("kernel_initializer"), config.initializer("bias_initializer"),
                config.regularizer("kernel_regularizer"), config.regularizer("bias_regularizer"));
    }

    @Override
    public String typeName() {
        return "Dense";
    }

    @Override
    public String baseName() {
        return "dense";
    }

    /** Kiln's Dense mixes all of an example's values, so it takes flat examples only (Keras' would act on the last axis). */
    @Override
    public OptionalInt outputWidth(OptionalInt input) {
        return OptionalInt.of(units);
    }

    @Override
    public Activation outputActivation(Activation input) {
        return activationFunction();
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.rank() != 1) {
            throw new IllegalArgumentException("needs flat examples but gets examples of shape " + input
                    + ": add Flatten() before it");
        }
        return Shape.of(units);
    }

    @Override
    public long parameterCount(Shape input) {
        return (long) input.size() * units + (useBias ? units : 0);
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        Parameter kernel = lowering.weight("kernel", kernelInitializer, kernelRegularizer, lowering.inputShape().size(),
                units);
        Node output = lowering.add(new MatMul(kernel), input);
        if (useBias) {
            Parameter bias = lowering.weight("bias", biasInitializer, biasRegularizer, units);
            output = lowering.add("bias_add", new BiasAdd(bias), output);
        }
        if (activationFunction() != Activation.LINEAR) {
            // The compiler fuses the three nodes into one matmul + bias + activation pass.
            output = lowering.add(activation, new Activate(activationFunction()), output);
        }
        return output;
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("units", units)
                .put("activation", activation)
                .put("use_bias", useBias)
                .putInitializer("kernel_initializer", kernelInitializer)
                .putInitializer("bias_initializer", biasInitializer)
                .putRegularizer("kernel_regularizer", kernelRegularizer)
                .putRegularizer("bias_regularizer", biasRegularizer);
    }
}
