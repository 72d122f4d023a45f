package dev.kiln.layers;

import dev.kiln.activations.Activations;
import dev.kiln.core.graph.Conv2D;
import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.Padding;
import dev.kiln.core.kernel.Window2d;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.initializers.Initializers;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import dev.kiln.regularizers.Regularizer;
import dev.kiln.regularizers.Regularizers;
import java.util.Arrays;

/**
 * Keras' {@code Conv2D} over channels-last images: {@code filters} kernels of kernelHeight × kernelWidth
 * slide over the image with the given strides, each output pixel y = activation(patch·kernel + bias); the
 * kernel has Keras' shape [kernelHeight, kernelWidth, channels, filters]. Keras' defaults: strides 1,
 * padding "valid", no activation, a bias, glorot_uniform kernel, zeros bias, no regularizers. Dilation is
 * 1 and groups 1 (the only values Kiln has).
 *
 * <pre>{@code
 * Conv2D(32, 3, "relu")                          // [28, 28, 1] → [26, 26, 32], 320 weights
 * Conv2D(64, 3, "relu").padding("same").strides(2)  // [26, 26, 32] → [13, 13, 64]
 * }</pre>
 */
public record Conv2DLayer(int filters, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth, String padding,
        String activation, boolean useBias, String kernelInitializer, String biasInitializer,
        Regularizer kernelRegularizer, Regularizer biasRegularizer) implements Layer {
    public Conv2DLayer {
        Windows.positive("Conv2D filters", filters);
        Windows.positive("Conv2D kernel height", kernelHeight);
        Windows.positive("Conv2D kernel width", kernelWidth);
        Windows.positive("Conv2D stride height", strideHeight);
        Windows.positive("Conv2D stride width", strideWidth);
        padding = Windows.name(Windows.padding(padding));
        Activation a = Activations.resolve(activation);
        if (!a.isElementwise()) {
            throw new IllegalArgumentException("Conv2D's activation must act on each value alone, and " + activation
                    + " does not: use Flatten() and Dense(units, \"" + activation + "\") after the convolutions");
        }
        activation = Activations.nameOf(a);
        Initializers.resolve(kernelInitializer);
        Initializers.resolve(biasInitializer);
    }

    /** {@code filters} square kernels of {@code kernelSize} with Keras' defaults for everything else. */
    public Conv2DLayer(int filters, int kernelSize, String activation) {
        this(filters, kernelSize, kernelSize, 1, 1, "valid", activation, true, "glorot_uniform", "zeros", null, null);
    }

    /** This layer with kernels of kernelHeight × kernelWidth. */
    public Conv2DLayer kernelSize(int height, int width) {
        return new Conv2DLayer(filters, height, width, strideHeight, strideWidth, padding, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer);
    }

    /** This layer moving its kernels {@code stride} pixels at a time along both axes. */
    public Conv2DLayer strides(int stride) {
        return strides(stride, stride);
    }

    public Conv2DLayer strides(int height, int width) {
        return new Conv2DLayer(filters, kernelHeight, kernelWidth, height, width, padding, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer);
    }

    /** {@code "valid"} (only whole windows) or {@code "same"} (zero padding, output size ⌈input/stride⌉). */
    public Conv2DLayer padding(String name) {
        return new Conv2DLayer(filters, kernelHeight, kernelWidth, strideHeight, strideWidth, name, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer);
    }

    public Conv2DLayer useBias(boolean use) {
        return new Conv2DLayer(filters, kernelHeight, kernelWidth, strideHeight, strideWidth, padding, activation, use,
                kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer);
    }

    public Conv2DLayer kernelInitializer(String name) {
        return new Conv2DLayer(filters, kernelHeight, kernelWidth, strideHeight, strideWidth, padding, activation, useBias,
                name, biasInitializer, kernelRegularizer, biasRegularizer);
    }

    public Conv2DLayer biasInitializer(String name) {
        return new Conv2DLayer(filters, kernelHeight, kernelWidth, strideHeight, strideWidth, padding, activation, useBias,
                kernelInitializer, name, kernelRegularizer, biasRegularizer);
    }

    /** This layer with {@code regularizer} on its kernel (null for none). */
    public Conv2DLayer kernelRegularizer(Regularizer regularizer) {
        return new Conv2DLayer(filters, kernelHeight, kernelWidth, strideHeight, strideWidth, padding, activation, useBias,
                kernelInitializer, biasInitializer, regularizer, biasRegularizer);
    }

    public Conv2DLayer kernelRegularizer(String name) {
        return kernelRegularizer(Regularizers.resolve(name));
    }

    /** This layer with {@code regularizer} on its bias (null for none). */
    public Conv2DLayer biasRegularizer(Regularizer regularizer) {
        return new Conv2DLayer(filters, kernelHeight, kernelWidth, strideHeight, strideWidth, padding, activation, useBias,
                kernelInitializer, biasInitializer, kernelRegularizer, regularizer);
    }

    public Conv2DLayer biasRegularizer(String name) {
        return biasRegularizer(Regularizers.resolve(name));
    }

    public static Conv2DLayer fromConfig(ConfigReader config) throws ModelFormatException {
        Windows.requireChannelsLast(config);
        if (config.has("dilation_rate") && !Arrays.equals(config.positiveInts("dilation_rate", 2), new int[] {1, 1})) {
            throw config.fail("dilation_rate", "must be 1: Kiln's convolutions are not dilated");
        }
        if (config.has("groups") && config.positiveInt("groups") != 1) {
            throw config.fail("groups", "must be 1: Kiln's convolutions are not grouped");
        }
        int[] kernel = config.positiveInts("kernel_size", 2);
        int[] strides = config.positiveInts("strides", 2);
        return new Conv2DLayer(config.positiveInt("filters"), kernel[0], kernel[1], strides[0], strides[1],
                config.text("padding"), config.text("activation"), config.bool("use_bias"),
                config.initializer("kernel_initializer"), config.initializer("bias_initializer"),
                config.regularizer("kernel_regularizer"), config.regularizer("bias_regularizer"));
    }

    @Override
    public String typeName() {
        return "Conv2D";
    }

    @Override
    public String baseName() {
        return "conv2d";
    }

    @Override
    public Activation outputActivation(Activation input) {
        return Activations.resolve(activation);
    }

    @Override
    public Shape outputShape(Shape input) {
        Windows.requireImages(input);
        Window2d w = window(input);
        return Shape.of(w.outHeight(), w.outWidth(), filters);
    }

    private Window2d window(Shape input) {
        try {
            return Window2d.of(input.dim(0), input.dim(1), kernelHeight, kernelWidth, strideHeight, strideWidth,
                    Windows.padding(padding));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot slide a " + kernelHeight + "×" + kernelWidth + " kernel over images"
                    + " of shape " + input + ": " + e.getMessage(), e);
        }
    }

    @Override
    public long parameterCount(Shape input) {
        return (long) kernelHeight * kernelWidth * input.dim(2) * filters + (useBias ? filters : 0);
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        int channels = lowering.inputShape().dim(2);
        Parameter kernel = lowering.weight("kernel", kernelInitializer, kernelRegularizer, kernelHeight, kernelWidth,
                channels, filters);
        Parameter bias = useBias ? lowering.weight("bias", biasInitializer, biasRegularizer, filters) : null;
        Padding p = Windows.padding(padding);
        return lowering.add(new Conv2D(kernel, bias, strideHeight, strideWidth, p, Activations.resolve(activation)), input);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("filters", filters)
                .put("kernel_size", kernelHeight, kernelWidth)
                .put("strides", strideHeight, strideWidth)
                .put("padding", padding)
                .put("data_format", "channels_last")
                .put("dilation_rate", 1, 1)
                .put("groups", 1)
                .put("activation", activation)
                .put("use_bias", useBias)
                .putInitializer("kernel_initializer", kernelInitializer)
                .putInitializer("bias_initializer", biasInitializer)
                .putRegularizer("kernel_regularizer", kernelRegularizer)
                .putRegularizer("bias_regularizer", biasRegularizer)
                .putNull("activity_regularizer")
                .putNull("kernel_constraint")
                .putNull("bias_constraint");
    }
}
