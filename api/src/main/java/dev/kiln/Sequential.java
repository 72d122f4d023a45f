package dev.kiln;

import dev.kiln.layers.Layer;
import dev.kiln.losses.Loss;
import dev.kiln.metrics.Metric;
import dev.kiln.optimizers.Optimizer;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack of layers, each feeding the next: the model most Keras programs start with. {@link #compile}
 * turns it into a trainable {@link Model}.
 *
 * <p>It is mutable, as Keras' {@code Sequential} is: {@link #add} appends to this stack (and returns it,
 * so calls chain) and {@link #pop} removes the last layer. An immutable {@code add} returning a new stack
 * let {@code seq.add(Dense(8));} drop the layer silently, the trap a Keras user falls into first. A
 * compiled {@link Model} took a copy of the layers, so changing the stack afterwards changes no model.
 *
 * <pre>{@code
 * var seq = Sequential.of(Input(784));
 * seq.add(Dense(128, "relu"));
 * seq.add(Dense(10, "softmax"));
 * var model = seq.compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * }</pre>
 *
 * <p>{@code compile} takes the optimizer and the loss as names or objects, and the metrics as names or
 * {@link Metric}s ({@link Compilable}).
 */
public final class Sequential implements Compilable {
    private final List<Layer> layers = new ArrayList<>();

    private Sequential() {
    }

    /** A stack of these layers, in order (none: an empty stack to {@link #add} to). */
    public static Sequential of(Layer... layers) {
        Sequential seq = new Sequential();
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == null) {
                throw new IllegalArgumentException("layer " + i + " is null");
            }
            seq.layers.add(layers[i]);
        }
        return seq;
    }

    /** Appends {@code layer} to this stack, as Keras' {@code model.add(layer)}; returns this stack. */
    public Sequential add(Layer layer) {
        if (layer == null) {
            throw new IllegalArgumentException("layer is null");
        }
        layers.add(layer);
        return this;
    }

    /**
     * Removes and returns the last layer, as Keras' {@code model.pop()}.
     *
     * @throws IllegalStateException when the stack is empty
     */
    public Layer pop() {
        if (layers.isEmpty()) {
            throw new IllegalStateException("there is no layer to pop: the Sequential is empty");
        }
        return layers.removeLast();
    }

    /** The layers as they are now, the Input (when there is one) first; an unmodifiable copy. */
    public List<Layer> layers() {
        return List.copyOf(layers);
    }

    @Override
    public Model compile(Optimizer optimizer, Loss loss, List<Metric> metrics) {
        CompileArguments.requireNonNull(optimizer, loss);
        return new Model(layers, optimizer, loss, CompileArguments.metrics(metrics.toArray(Metric[]::new)));
    }

    @Override
    public Model compile(Optimizer optimizer, OutputLosses losses) {
        if (optimizer == null) {
            throw new IllegalArgumentException("optimizer is null; expected a name such as 'adam' or an Optimizer");
        }
        if (losses == null) {
            throw new IllegalArgumentException("losses is null; expected OutputLosses.of(...) or OutputLosses.byName(...)");
        }
        return Model.sequential(layers, optimizer, losses);
    }
}
