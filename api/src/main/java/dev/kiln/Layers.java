package dev.kiln;

import dev.kiln.layers.ActivationLayer;
import dev.kiln.layers.AddLayer;
import dev.kiln.layers.AveragePooling2DLayer;
import dev.kiln.layers.BatchNormalizationLayer;
import dev.kiln.layers.ConcatenateLayer;
import dev.kiln.layers.Conv2DLayer;
import dev.kiln.layers.CustomLayer;
import dev.kiln.layers.DenseLayer;
import dev.kiln.layers.DropoutLayer;
import dev.kiln.layers.FlattenLayer;
import dev.kiln.layers.GlobalAveragePooling2DLayer;
import dev.kiln.layers.GlobalMaxPooling2DLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.LayerNormalizationLayer;
import dev.kiln.layers.MaxPooling2DLayer;
import dev.kiln.layers.MultiplyLayer;
import dev.kiln.layers.ReshapeLayer;

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
    public static InputLayer Input(int width) {
        return new InputLayer(width);
    }

    /**
     * An input of the given shape per example, without the batch axis, e.g. {@code Input(28, 28)} for
     * images; follow it with {@link #Flatten()} before a Dense.
     */
    public static InputLayer Input(int... shape) {
        return InputLayer.ofShape(shape);
    }

    /** Sums inputs of one shape elementwise (Keras' {@code Add}), in a functional model: {@code Add().apply(a, b)}. */
    public static Layer Add() {
        return new AddLayer();
    }

    /** Multiplies inputs of one shape elementwise (Keras' {@code Multiply}): {@code Multiply().apply(gate, value)}. */
    public static Layer Multiply() {
        return new MultiplyLayer();
    }

    /**
     * Joins inputs along their last axis (Keras' {@code Concatenate}, axis -1): {@code Concatenate().apply(a, b)}
     * gives examples of a's and b's features side by side.
     */
    public static Layer Concatenate() {
        return new ConcatenateLayer();
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

    /**
     * A 2-D convolution with {@code filters} square kernels of {@code kernelSize}, no activation, and Keras'
     * other defaults (strides 1, "valid", a bias); refine with {@code .strides(2)}, {@code .padding("same")},
     * {@code .kernelSize(3, 5)}, {@code .useBias(false)}, ... (see {@link Conv2DLayer}).
     */
    public static Conv2DLayer Conv2D(int filters, int kernelSize) {
        return Conv2D(filters, kernelSize, "linear");
    }

    /** A 2-D convolution with an activation: {@code Conv2D(32, 3, "relu")}. */
    public static Conv2DLayer Conv2D(int filters, int kernelSize, String activation) {
        return new Conv2DLayer(filters, kernelSize, activation);
    }

    /** Max pooling over 2×2 windows side by side, Keras' default. */
    public static MaxPooling2DLayer MaxPooling2D() {
        return MaxPooling2D(2);
    }

    /** Max pooling over poolSize × poolSize windows, strides equal to the pool unless {@code .strides(...)} says otherwise. */
    public static MaxPooling2DLayer MaxPooling2D(int poolSize) {
        return new MaxPooling2DLayer(poolSize);
    }

    /** Average pooling over 2×2 windows side by side, Keras' default. */
    public static AveragePooling2DLayer AveragePooling2D() {
        return AveragePooling2D(2);
    }

    public static AveragePooling2DLayer AveragePooling2D(int poolSize) {
        return new AveragePooling2DLayer(poolSize);
    }

    /** The mean of each channel over the image: [height, width, channels] → [channels]. */
    public static Layer GlobalAveragePooling2D() {
        return new GlobalAveragePooling2DLayer();
    }

    /** The largest value of each channel over the image: [height, width, channels] → [channels]. */
    public static Layer GlobalMaxPooling2D() {
        return new GlobalMaxPooling2DLayer();
    }

    /** Gives each example the shape {@code targetShape} (one dimension may be -1), e.g. {@code Reshape(28, 28, 1)}. */
    public static Layer Reshape(int... targetShape) {
        return new ReshapeLayer(targetShape);
    }

    /**
     * A layer of the user's own, named {@code name} ({@code "my_pkg>MyDense"}), to give weights and a call
     * written with {@code Ops}: see {@link CustomLayer}.
     *
     * <pre>{@code
     * var scale = Layers.custom("my_pkg>Scale")
     *         .weight("scale", features -> new int[] {features}, "ones")
     *         .call((x, w) -> Ops.multiply(x, w.get("scale")));
     * }</pre>
     */
    public static CustomLayer custom(String name) {
        return CustomLayer.of(name);
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
