package dev.kiln;

import dev.kiln.layers.Layer;
import java.util.List;

/**
 * A layer of a compiled {@link Model}, as Keras' layer objects are: its name, its specification, its
 * weights with their shapes, and whether {@code fit} trains it. A handle onto the model, so what it says
 * is always the model's current state; it does not outlive the model's {@code close()}.
 *
 * <p>Freezing a layer for fine-tuning works as in Keras: {@code setTrainable(false)} takes effect when
 * the model is compiled again (which keeps the weights); from then on {@code fit} leaves the layer's
 * weights as they are, and a frozen BatchNormalization normalizes with its moving statistics, as in
 * inference. Until that compile, {@code fit} and {@code save} are refused rather than silently
 * training the layer.
 *
 * <pre>{@code
 * ModelLayer encoder = model.getLayer("encoder");
 * encoder.weights();              // [encoder/kernel [784, 64], encoder/bias [64]]
 * encoder.setTrainable(false);
 * model.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * model.fit(x, y, epochs(1));     // encoder's weights stay as they were
 * }</pre>
 */
public final class ModelLayer {
    private final Model model;
    private final int index;

    ModelLayer(Model model, int index) {
        this.model = model;
        this.index = index;
    }

    /** The layer's name: the one given with {@code .named(...)}, or Keras' automatic one ({@code dense_1}). */
    public String name() {
        return model.layerNames().get(index);
    }

    /** The layer's specification, e.g. a {@code DenseLayer} with its units and activation. */
    public Layer layer() {
        return model.layerSpecs().get(index);
    }

    /** The Keras class name, e.g. {@code Dense}. */
    public String typeName() {
        return layer().typeName();
    }

    /** Whether {@code fit} trains the layer's weights (after the compile that follows a change). */
    public boolean isTrainable() {
        return model.isTrainable(index);
    }

    /**
     * Freezes ({@code false}) or unfreezes the layer, as Keras' {@code layer.trainable = ...}; it takes
     * effect at the model's next {@code compile}.
     */
    public void setTrainable(boolean trainable) {
        model.setTrainable(index, trainable);
    }

    /** The layer's weights with names and shapes (copies), Keras' order; empty for a layer without weights. */
    public List<Weight> weights() {
        return model.layerWeights(index);
    }

    /** The layer's weight values (copies), as Keras' {@code layer.get_weights()}; shapes in {@link #weights()}. */
    public List<float[]> getWeights() {
        return weights().stream().map(Weight::values).toList();
    }

    /**
     * Replaces the layer's weights, as Keras' {@code layer.set_weights(...)}: one array per weight of
     * {@link #weights()}, each with as many values as its shape holds. Nothing is written unless all fit.
     *
     * @throws IllegalArgumentException when the count, a size or a value (NaN, ∞) does not fit
     * @throws IllegalStateException    when the model is not built yet
     */
    public void setWeights(List<float[]> weights) {
        model.setLayerWeights(index, weights);
    }

    /** How many values the layer's weights hold, trainable or not (Keras' {@code count_params()}). */
    public long countParams() {
        return weights().stream().mapToLong(Weight::size).sum();
    }

    /** {@code dense (Dense)}, with {@code , frozen} when not trainable. */
    @Override
    public String toString() {
        return name() + " (" + typeName() + (isTrainable() ? ")" : ", frozen)");
    }
}
