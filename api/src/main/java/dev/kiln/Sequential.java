package dev.kiln;

import dev.kiln.layers.Layer;
import dev.kiln.metrics.Metric;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack of layers, each feeding the next: the model most Keras programs start with. It is an
 * immutable specification; {@link #compile} turns it into a trainable {@link Model}.
 *
 * <pre>{@code
 * var model = Sequential.of(Dense(128, "relu"), Dense(10, "softmax"))
 *         .compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * }</pre>
 */
public final class Sequential {
    private final List<Layer> layers;

    private Sequential(List<Layer> layers) {
        this.layers = List.copyOf(layers);
    }

    public static Sequential of(Layer... layers) {
        List<Layer> list = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == null) {
                throw new IllegalArgumentException("layer " + i + " is null");
            }
            list.add(layers[i]);
        }
        return new Sequential(list);
    }

    /** A new Sequential with {@code layer} appended. */
    public Sequential add(Layer layer) {
        if (layer == null) {
            throw new IllegalArgumentException("layer is null");
        }
        List<Layer> list = new ArrayList<>(layers);
        list.add(layer);
        return new Sequential(list);
    }

    public List<Layer> layers() {
        return layers;
    }

    /**
     * Compiles with an optimizer ({@code "adam"} or e.g. {@code new Adam(1e-3)}), a loss
     * ({@code "mse"} or e.g. {@code Losses.meanSquaredError()}) and metrics (names or {@link Metric}s).
     */
    public Model compile(Object optimizer, Object loss, Object... metrics) {
        CompileArguments args = CompileArguments.resolve(optimizer, loss, metrics);
        return new Model(layers, args.optimizer(), args.loss(), args.metrics());
    }

    /** Compiles with Keras' default optimizer, rmsprop. */
    public Model compile(Object loss) {
        return compile("rmsprop", loss);
    }
}
