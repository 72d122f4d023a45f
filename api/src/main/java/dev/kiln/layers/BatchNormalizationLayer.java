package dev.kiln.layers;

import dev.kiln.core.graph.BatchNorm;
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
 * Keras' {@code BatchNormalization}: while training ({@code fit}), normalizes each feature of the last
 * axis (axis −1: the features of a row, the channels of an image) with the mean and variance of the
 * current batch (over every example and, in an image, every pixel) and updates the non-trainable
 * moving statistics, moving = moving·momentum + batch·(1 − momentum); in {@code evaluate} and
 * {@code predict} it normalizes with the moving statistics. It takes examples of any shape. Then y = γ·x̂ + β with trainable {@code gamma} (when {@code scale}) and
 * {@code beta} (when {@code center}). Keras' defaults: axis −1, momentum 0.99, epsilon 1e-3, center and
 * scale true; gamma and moving_variance start at ones, beta and moving_mean at zeros. Weights, in
 * Keras' order: {@code gamma}, {@code beta}, {@code moving_mean}, {@code moving_variance}; the last
 * two are non-trainable (summary counts them apart, the optimizer never updates them).
 *
 * <pre>{@code
 * var model = Sequential.of(Input(784), Dense(256), BatchNormalization(), Activation("relu"),
 *         Dense(10, "softmax"));
 * BatchNormalization().momentum(0.9).epsilon(1e-5);
 * }</pre>
 */
public record BatchNormalizationLayer(int axis, double momentum, double epsilon, boolean center, boolean scale)
        implements Layer {
    public BatchNormalizationLayer {
        if (axis != -1) {
            throw new IllegalArgumentException("BatchNormalization axis must be -1 (the last axis), got " + axis);
        }
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNormalization momentum must be in [0, 1], got " + momentum);
        }
        if (!(epsilon > 0) || Double.isInfinite(epsilon)) {
            throw new IllegalArgumentException("BatchNormalization epsilon must be a finite number > 0, got " + epsilon);
        }
    }

    /** Keras' defaults: axis −1, momentum 0.99, epsilon 1e-3, center and scale. */
    public BatchNormalizationLayer() {
        this(-1, 0.99, 1e-3, true, true);
    }

    public BatchNormalizationLayer momentum(double momentum) {
        return new BatchNormalizationLayer(axis, momentum, epsilon, center, scale);
    }

    public BatchNormalizationLayer epsilon(double epsilon) {
        return new BatchNormalizationLayer(axis, momentum, epsilon, center, scale);
    }

    /** Whether to add the trainable offset beta. */
    public BatchNormalizationLayer center(boolean center) {
        return new BatchNormalizationLayer(axis, momentum, epsilon, center, scale);
    }

    /** Whether to multiply by the trainable gamma. */
    public BatchNormalizationLayer scale(boolean scale) {
        return new BatchNormalizationLayer(axis, momentum, epsilon, center, scale);
    }

    public static BatchNormalizationLayer fromConfig(ConfigReader config) throws ModelFormatException {
        config.requireAbsentOr("renorm", false, "Kiln's BatchNormalization has no batch renormalization");
        for (String field : List.of("beta_regularizer", "gamma_regularizer")) {
            if (config.has(field)) {
                throw config.fail(field, "is set; Kiln's normalization layers take no regularizers");
            }
        }
        return new BatchNormalizationLayer(config.axis("axis"), config.number("momentum"), config.number("epsilon"),
                config.bool("center"), config.bool("scale"));
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("axis", axis)
                .put("momentum", momentum)
                .put("epsilon", epsilon)
                .put("center", center)
                .put("scale", scale)
                .putFixedInitializer("beta_initializer", "Zeros")
                .putFixedInitializer("gamma_initializer", "Ones")
                .putFixedInitializer("moving_mean_initializer", "Zeros")
                .putFixedInitializer("moving_variance_initializer", "Ones")
                .putNull("beta_regularizer")
                .putNull("gamma_regularizer")
                .put("synchronized", false);
    }

    @Override
    public String typeName() {
        return "BatchNormalization";
    }

    @Override
    public String baseName() {
        return "batch_normalization";
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
        return (long) input.last() * ((center ? 1 : 0) + (scale ? 1 : 0) + 2);
    }

    @Override
    public long nonTrainableParameterCount(Shape input) {
        return 2L * input.last();
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        int features = lowering.inputShape().last();
        Parameter gamma = scale ? lowering.weight("gamma", "ones", null, features) : null;
        Parameter beta = center ? lowering.weight("beta", "zeros", null, features) : null;
        Parameter movingMean = lowering.state("moving_mean", "zeros", false, features);
        Parameter movingVariance = lowering.state("moving_variance", "ones", true, features);
        // Frozen, it normalizes with the moving statistics in training too and leaves them as they are (Keras 3).
        return lowering.add(new BatchNorm(gamma, beta, movingMean, movingVariance, (float) momentum, (float) epsilon,
                !lowering.trainable()), input);
    }
}
