package dev.kiln.layers;

import dev.kiln.io.LayerConfigWriter;

/**
 * A layer specification: immutable, holding no memory. {@code compile} and the first call that sees
 * data turn a stack of them into the engine's graph.
 *
 * <pre>{@code
 * Layer hidden = Layers.Dense(128, "relu");
 * hidden.outputWidth(784);       // 128
 * hidden.parameterCount(784);    // 100480
 * }</pre>
 */
public sealed interface Layer permits InputLayer, DenseLayer, ActivationLayer, DropoutLayer, FlattenLayer, LayerNormalizationLayer,
        BatchNormalizationLayer {
    /** The Keras class name shown by {@code summary()}, e.g. {@code Dense}. */
    String typeName();

    /** The stem of the layer's automatic name, e.g. {@code dense} (then {@code dense_1}, ...). */
    String baseName();

    /** Shape inference for a row of {@code inputWidth} features. */
    int outputWidth(int inputWidth);

    /** Values the layer holds for that input width, trainable or not (summary's Param #). */
    default long parameterCount(int inputWidth) {
        return 0;
    }

    /** Of {@link #parameterCount}, those the optimizer does not train (moving statistics). */
    default long nonTrainableParameterCount(int inputWidth) {
        return 0;
    }

    /**
     * Writes the layer's own Keras config fields (the name, dtype and class name are written for it);
     * the layer class reads them back in a static {@code fromConfig(LayerConfigReader)}.
     */
    void writeConfig(LayerConfigWriter config);
}
