package dev.kiln;

import dev.kiln.layers.Layer;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.Optimizers;
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
        Optimizer o = switch (optimizer) {
            case null -> throw new IllegalArgumentException("optimizer is null; expected a name such as 'adam' or an Optimizer");
            case String name -> Optimizers.resolve(name);
            case Optimizer given -> given;
            default -> throw new IllegalArgumentException("optimizer must be a name or an Optimizer, got "
                    + optimizer.getClass().getSimpleName());
        };
        Loss l = switch (loss) {
            case null -> throw new IllegalArgumentException("loss is null; expected a name such as 'mse' or a Loss");
            case String name -> Losses.resolve(name);
            case Loss given -> given;
            default -> throw new IllegalArgumentException("loss must be a name or a Loss, got "
                    + loss.getClass().getSimpleName());
        };
        List<Metric> ms = new ArrayList<>();
        for (Object m : metrics) {
            ms.add(switch (m) {
                case null -> throw new IllegalArgumentException("metric is null; expected a name such as 'accuracy'");
                case String name -> Metrics.resolve(name);
                case Metric given -> given;
                default -> throw new IllegalArgumentException("metric must be a name or a Metric, got "
                        + m.getClass().getSimpleName());
            });
        }
        return new Model(layers, o, l, ms);
    }

    /** Compiles with Keras' default optimizer, rmsprop. */
    public Model compile(Object loss) {
        return compile("rmsprop", loss);
    }
}
