package dev.kiln;

import dev.kiln.layers.ActivationLayer;
import dev.kiln.layers.BatchNormalizationLayer;
import dev.kiln.layers.DenseLayer;
import dev.kiln.layers.DropoutLayer;
import dev.kiln.layers.FlattenLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.LayerNormalizationLayer;

/**
 * The layers, named as in Keras so that a static import reads like a Keras model.
 *
 * <pre>{@code
 * import static dev.kiln.Layers.*;
 * var model = Sequential.of(Input(784), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax"));
 * }</pre>
 */
@SuppressWarnings("checkstyle:MethodName")
public final class Layers {
    private Layers() {
    }

    /** The width of each input row; optional, without it the first fit, predict or evaluate decides. */
    public static Layer Input(int width) {
        return new InputLayer(width);
    }

    /**
     * An input of the given shape per example, without the batch axis, e.g. {@code Input(28, 28)} for
     * images; follow it with {@link #Flatten()} before a Dense.
     */
    public static Layer Input(int... shape) {
        return InputLayer.ofShape(shape);
    }

    /** Flattens each example to a vector; free at run time (rows are already contiguous). */
    public static Layer Flatten() {
        return new FlattenLayer();
    }

    /** A Dense layer with no activation (linear), a bias, glorot_uniform kernel and zeros bias. */
    public static DenseLayer Dense(int units) {
        return Dense(units, "linear");
    }

    public static DenseLayer Dense(int units, String activation) {
        return Dense(units, activation, true);
    }

    public static DenseLayer Dense(int units, String activation, boolean useBias) {
        return Dense(units, activation, useBias, "glorot_uniform", "zeros");
    }

    public static DenseLayer Dense(int units, String activation, boolean useBias, String kernelInitializer,
            String biasInitializer) {
        return new DenseLayer(units, activation, useBias, kernelInitializer, biasInitializer);
    }

    public static Layer Activation(String activation) {
        return new ActivationLayer(activation);
    }

    public static Layer Dropout(double rate) {
        return new DropoutLayer(rate);
    }

    /** Keras' LayerNormalization with its defaults (epsilon 1e-3, center, scale); see {@link LayerNormalizationLayer}. */
    public static LayerNormalizationLayer LayerNormalization() {
        return new LayerNormalizationLayer();
    }

    /**
     * Keras' BatchNormalization with its defaults (momentum 0.99, epsilon 1e-3, center, scale); see
     * {@link BatchNormalizationLayer}.
     */
    public static BatchNormalizationLayer BatchNormalization() {
        return new BatchNormalizationLayer();
    }
}
