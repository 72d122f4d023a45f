package dev.kiln.layers;

/**
 * A placeholder for the examples flowing between layers of a functional model (Keras' KerasTensor): an
 * {@link InputLayer}, or what a layer gives when {@linkplain Layer#apply applied} to placeholders. It
 * holds no data; it records which layer reads which, so that {@code Model.of(inputs, output)} can build
 * the model's graph from it.
 *
 * <pre>{@code
 * InputLayer in = Input(784);
 * SymbolicTensor h = Dense(128, "relu").apply(in);
 * SymbolicTensor out = Dense(10, "softmax").apply(Add().apply(h, Dense(128, "relu").apply(h)));
 * }</pre>
 */
public sealed interface SymbolicTensor permits InputLayer, LayerCall {
}
