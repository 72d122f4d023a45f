package dev.kiln;

import dev.kiln.core.graph.Graph;
import dev.kiln.core.graph.Node;
import dev.kiln.core.graph.Op;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.DropoutSeed;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.initializers.Initializers;
import dev.kiln.layers.Layer;
import dev.kiln.layers.LayerLowering;
import dev.kiln.regularizers.Regularizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Builds a model's engine graph as its layers lower themselves, one {@link LayerLowering} per layer,
 * and keeps the initial value of every weight they make. Values are kept by weight rather than in a
 * list, so the order in which the compiled graph lists its parameters is the only order that counts.
 */
final class GraphLowering {
    private final Graph graph;
    private final Random random;
    private final Map<Parameter, float[]> initialValues = new IdentityHashMap<>();
    /** Each layer's weights by name: a shared layer lowered again reads the weights its first lowering made. */
    private final Map<Layer, Map<String, Parameter>> weights = new IdentityHashMap<>();
    private int dropoutStreams;

    /** A graph whose examples have {@code input}; initializers draw from {@code random} in layer order. */
    GraphLowering(Shape input, Random random) {
        this.graph = new Graph(input);
        this.random = random;
    }

    /** A graph with no input yet: a functional model adds one per Input ({@link #input}). */
    GraphLowering(Random random) {
        this.graph = new Graph();
        this.random = random;
    }

    /** Adds an input of the graph, named after its Input layer. */
    Node input(String name, Shape shape) {
        return graph.addInput(name, shape);
    }

    Graph graph() {
        return graph;
    }

    /**
     * Lowers {@code layer}, named {@code name}, which receives examples of {@code inputShapes} from
     * {@code inputs} (one of each, except for a merge); returns the node of its output. A layer that is
     * not {@code trainable} (frozen) gets weights the optimizer never updates and no regularizer
     * penalizes, as Keras' frozen layers.
     */
    Node lower(Layer layer, String name, boolean trainable, List<Shape> inputShapes, List<Node> inputs) {
        return layer.lower(new ForLayer(layer, name, trainable, inputShapes.get(0)), inputs);
    }

    /** The values {@code p} starts with. */
    float[] initialValue(Parameter p) {
        float[] values = initialValues.get(p);
        if (values == null) {
            throw new IllegalStateException("parameter " + p + " was not made through LayerLowering.weight or"
                    + " .state, so it has no initial value");
        }
        return values;
    }

    private Parameter remember(Parameter p, String initializer) {
        int[] fans = fans(p.shape());
        initialValues.put(p, Initializers.resolve(initializer).fill(Math.toIntExact(p.size()), fans[0], fans[1], random));
        return p;
    }

    /**
     * Keras' fan-in and fan-out of a weight of {@code shape}, which scale the variance initializers: a
     * vector of n counts n and n; a kernel [in, out] counts in and out; a convolution kernel
     * [kh, kw, in, out] counts in and out times its kh·kw receptive field.
     */
    static int[] fans(int[] shape) {
        if (shape.length == 0) {
            return new int[] {1, 1}; // a single value, as Keras counts a scalar weight
        }
        if (shape.length == 1) {
            return new int[] {shape[0], shape[0]};
        }
        int receptiveField = 1;
        for (int i = 0; i < shape.length - 2; i++) {
            receptiveField = Math.multiplyExact(receptiveField, shape[i]);
        }
        return new int[] {Math.multiplyExact(shape[shape.length - 2], receptiveField),
                Math.multiplyExact(shape[shape.length - 1], receptiveField)};
    }

    private final class ForLayer implements LayerLowering {
        private final Layer layer;
        private final String name;
        private final boolean trainable;
        private final Shape inputShape;
        /** The weights this layer made when lowered before (a shared layer's earlier application), by name. */
        private final Map<String, Parameter> made;
        private final boolean again;

        ForLayer(Layer layer, String name, boolean trainable, Shape inputShape) {
            this.layer = layer;
            this.name = name;
            this.trainable = trainable;
            this.inputShape = inputShape;
            this.again = weights.containsKey(layer);
            this.made = weights.computeIfAbsent(layer, l -> new HashMap<>());
        }

        @Override
        public boolean trainable() {
            return trainable;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Shape inputShape() {
            return inputShape;
        }

        @Override
        public Node add(Op op, Node input) {
            return graph.add(name, op, input);
        }

        @Override
        public Node add(Op op, List<Node> inputs) {
            return graph.add(name, op, inputs);
        }

        @Override
        public Node add(String part, Op op, Node input) {
            return graph.add(name + "/" + part, op, input);
        }

        @Override
        public Parameter weight(String weight, String initializer, Regularizer regularizer, int... shape) {
            Parameter earlier = made.get(weight);
            if (earlier != null) {
                if (!Arrays.equals(earlier.shape(), shape)) {
                    throw new IllegalArgumentException(layer.typeName() + " layer '" + name + "' is applied to inputs"
                            + " of different shapes: its weight " + weight + " would be " + Arrays.toString(earlier.shape())
                            + " for one and " + Arrays.toString(shape) + " for another; a shared layer needs inputs"
                            + " of one shape");
                }
                return earlier;
            }
            String full = name + "/" + weight;
            // Keras penalizes trainable weights alone: a frozen layer's regularizer adds nothing to the loss.
            Parameter p = remember(trainable ? new Parameter(full, Penalties.of(regularizer), shape)
                    : new Parameter(full, null, false, shape), initializer);
            made.put(weight, p);
            return p;
        }

        @Override
        public Parameter state(String weight, String initializer, boolean nonNegative, int... shape) {
            if (again) {
                throw new IllegalArgumentException(layer.typeName() + " layer '" + name + "' is applied more than once,"
                        + " but it keeps moving statistics (" + weight + "), which Kiln cannot share between"
                        + " applications; make a layer for each place");
            }
            String full = name + "/" + weight;
            return remember(nonNegative ? Parameter.nonNegativeState(full, shape) : new Parameter(full, null, false, shape),
                    initializer);
        }

        @Override
        public DropoutSeed newDropoutSeed() {
            // The compiled graph gives every stream the model's base seed; the salt keeps their masks apart.
            return new DropoutSeed(0, dropoutStreams++);
        }
    }
}
