package dev.kiln.layers;

import dev.kiln.core.graph.LayerNorm;
import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import java.util.List;
import java.util.OptionalInt;

/**
 * Keras' {@code LayerNormalization}: normalizes each example over its last axis (axis −1: the features
 * of a row, the channels of each pixel of an image) to mean 0 and variance 1, then scales by a trainable
 * {@code gamma} (when {@code scale}) and shifts by a trainable {@code beta} (when {@code center}), one
 * value per feature of that axis: y = γ·(x − μ)/√(σ² + ε) + β. It takes examples of any shape and
 * behaves the same in training and inference. Keras' defaults: axis −1, epsilon 1e-3, center and scale true, gamma ones, beta zeros.
 * Weights, in Keras' order: {@code gamma}, {@code beta}.
 *
 * <pre>{@code
 * var model = Sequential.of(Input(64), Dense(128, "relu"), LayerNormalization(), Dense(10, "softmax"));
 * LayerNormalization().epsilon(1e-5).center(false);
 * }</pre>
 */
public record LayerNormalizationLayer(int axis, double epsilon, boolean center, boolean scale) implements Layer {
    public LayerNormalizationLayer {
        if (axis != -1) {
            throw new IllegalArgumentException("LayerNormalization axis must be -1 (the last axis), got " + axis);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("LayerNormalization epsilon must be a finite number > 0, got " + epsilon);
        }
    }

    /** Keras' defaults: axis −1, epsilon 1e-3, center and scale. */
    public LayerNormalizationLayer() {
        this(-1, 1e-3, true, true);
    }

    public LayerNormalizationLayer epsilon(double epsilon) {
        return new LayerNormalizationLayer(axis, epsilon, center, scale);
    }

    /** Whether to add the trainable offset beta. */
    public LayerNormalizationLayer center(boolean center) {
        return new LayerNormalizationLayer(axis, epsilon, center, scale);
    }

    /** Whether to multiply by the trainable gamma. */
    public LayerNormalizationLayer scale(boolean scale) {
        return new LayerNormalizationLayer(axis, epsilon, center, scale);
    }

    public static LayerNormalizationLayer fromConfig(ConfigReader config) throws ModelFormatException {
        if (config.has("rms_scaling") && config.bool("rms_scaling")) {
            throw config.fail("rms_scaling", "is true; Kiln's LayerNormalization has no RMS scaling");
        }
        for (String field : List.of("beta_regularizer", "gamma_regularizer")) {
            if (config.has(field)) {
                throw config.fail(field, "is set; Kiln's normalization layers take no regularizers");
            }
        }
        return new LayerNormalizationLayer(config.axis("axis"), config.number("epsilon"), config.bool("center"),
                config.bool("scale"));
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("axis", axis)
                .put("epsilon", epsilon)
                .put("center", center)
                .put("scale", scale)
                .put("rms_scaling", false)
                .putFixedInitializer("beta_initializer", "Zeros")
                .putFixedInitializer("gamma_initializer", "Ones")
                .putNull("beta_regularizer")
                .putNull("gamma_regularizer");
    }

    @Override
    public String typeName() {
        return "LayerNormalization";
    }

    @Override
    public String baseName() {
        return "layer_normalization";
    }

    @Override
    public OptionalInt outputWidth(OptionalInt input) {
        return input;
    }

    /** Normalized values, no longer what any activation produced. */
    @Override
    public Activation outputActivation(Activation input) {
        return Activation.LINEAR;
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public long parameterCount(Shape input) {
        return (long) input.last() * ((center ? 1 : 0) + (scale ? 1 : 0));
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        int features = lowering.inputShape().last();
        Parameter gamma = scale ? lowering.weight("gamma", "ones", null, features) : null;
        Parameter beta = center ? lowering.weight("beta", "zeros", null, features) : null;
        return lowering.add(new LayerNorm(gamma, beta, (float) epsilon), input);
    }
}
