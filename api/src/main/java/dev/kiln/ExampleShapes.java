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
 * @param inputs for each layer, the shapes of the examples it reads (one per tensor it reads)
 * @param outputs for each layer, the shape of the examples it gives
 */
record ExampleShapes(List<List<Shape>> inputs, List<Shape> outputs) {
    ExampleShapes {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
    }

    /** The shapes through a chain of layers, for rows of {@code width} values. */
    static ExampleShapes of(List<Layer> layers, List<String> names, int width) {
        return of(LayerGraph.chain(layers), names, width);
    }

    /**
     * The shapes for rows of {@code width} values: a chain whose first layer is an Input of that width
     * gives them its own shape, otherwise they are flat; a functional model's Inputs give their own.
     */
    static ExampleShapes of(LayerGraph graph, List<String> names, int width) {
        List<Layer> layers = graph.layers();
        Shape data = layers.getFirst() instanceof InputLayer in && in.width() == width ? in.exampleShape()
                : Shape.of(width);
        List<List<Shape>> inputs = new ArrayList<>();
        List<Shape> outputs = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            List<Shape> in = new ArrayList<>();
            for (int from : graph.reads().get(i)) {
                in.add(from == LayerGraph.MODEL_DATA ? data : outputs.get(from));
            }
            if (in.isEmpty()) { // a functional model's Input
                in.add(((InputLayer) layer).exampleShape());
            }
            try {
                outputs.add(layer.outputShape(in));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(layer.typeName() + " layer '" + names.get(i) + "' " + e.getMessage(), e);
            }
            inputs.add(in);
        }
        return new ExampleShapes(inputs, outputs);
    }

    /** The shape of the examples layer {@code layer} receives (the first of them, for a merge). */
    Shape input(int layer) {
        return inputs.get(layer).get(0);
    }

    /** The shape of the examples layer {@code layer} gives. */
    Shape output(int layer) {
        return outputs.get(layer);
    }

    /** The model's output shape. */
    Shape output() {
        return outputs.getLast();
    }
}
