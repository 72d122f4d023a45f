package dev.kiln;

import dev.kiln.core.memory.Shape;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import java.util.ArrayList;
import java.util.List;

/**
 * The shape of one example before and after each layer of a model, each layer applying its own rule
 * ({@link Layer#outputShape}); a layer that refuses its input is named in the message. Shape errors
 * are found here, at compile or at the first call with data, before anything is allocated.
 *
 * <pre>{@code
 * ExampleShapes.of(List.of(Input(28, 28), Flatten(), Dense(10)), names, 784).output();   // [10]
 * }</pre>
 *
 * @param shapes the input of layer i at i, its output at i + 1
 */
record ExampleShapes(List<Shape> shapes) {
    ExampleShapes {
        shapes = List.copyOf(shapes);
    }

    /**
     * The shapes for rows of {@code width} values: an Input layer of that width gives them its own
     * shape, otherwise they are flat.
     */
    static ExampleShapes of(List<Layer> layers, List<String> names, int width) {
        Shape shape = layers.getFirst() instanceof InputLayer in && in.width() == width ? in.exampleShape()
                : Shape.of(width);
        List<Shape> shapes = new ArrayList<>(List.of(shape));
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            try {
                shape = layer.outputShape(shape);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(layer.typeName() + " layer '" + names.get(i) + "' " + e.getMessage(), e);
            }
            shapes.add(shape);
        }
        return new ExampleShapes(shapes);
    }

    /** The shape of the examples layer {@code layer} receives. */
    Shape input(int layer) {
        return shapes.get(layer);
    }

    /** The shape of the examples layer {@code layer} gives. */
    Shape output(int layer) {
        return shapes.get(layer + 1);
    }

    /** The model's output shape. */
    Shape output() {
        return shapes.getLast();
    }
}
