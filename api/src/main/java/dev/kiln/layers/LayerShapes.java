package dev.kiln.layers;

import java.util.ArrayList;
import java.util.List;

/**
 * The shape of one example after each layer, for summaries and for the check that a layer mixing
 * features gets a flat input: the engine only knows row widths, so an Input(28, 28) must meet a
 * Flatten before a Dense (Keras would apply the Dense to the last axis, which Kiln does not do).
 *
 * <pre>{@code
 * LayerShapes.after(layers, 784);   // [[28, 28], [784], [128], [10]]
 * }</pre>
 */
public final class LayerShapes {
    private LayerShapes() {
    }

    /** The example shape after each layer, for a model whose rows have {@code width} values. */
    public static List<List<Integer>> after(List<Layer> layers, int width) {
        List<List<Integer>> shapes = new ArrayList<>();
        List<Integer> shape = List.of(width);
        int w = width;
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            w = l.outputWidth(w);
            shape = switch (l) {
                case InputLayer in -> in.shape();
                case FlattenLayer f -> List.of(w);
                case DropoutLayer d -> shape;
                case ActivationLayer a -> shape;
                default -> {
                    if (shape.size() > 1) {
                        throw new IllegalArgumentException(l.typeName() + " layer " + i + " needs a flat input but gets"
                                + " examples of shape " + shape + ": add Flatten() before it");
                    }
                    yield List.of(w);
                }
            };
            shapes.add(shape);
        }
        return shapes;
    }

    /** "(None, 28, 28)". */
    public static String describe(List<Integer> shape) {
        StringBuilder sb = new StringBuilder("(None");
        for (int d : shape) {
            sb.append(", ").append(d);
        }
        return sb.append(')').toString();
    }
}
