package dev.kiln.layers;

import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import java.util.List;
import java.util.OptionalInt;

/**
 * Fixes the shape of the model's input rows, so the model is built at compile time. {@code shape}
 * is one example's shape without the batch axis (Keras' {@code shape}), e.g. [784] or [28, 28];
 * {@code width} is its number of values: data still arrive as flat rows of that many values, and the
 * layers after it see examples of {@code shape}. A multi-dimensional input must pass through
 * {@link FlattenLayer} before a Dense.
 *
 * <p>In a functional model it is also the placeholder of one input ({@link SymbolicTensor}): layers are
 * {@linkplain Layer#apply applied} to it, and {@code Model.of(inputs, output)} lists it among the inputs.
 * Two inputs are two objects, even when their shapes are equal.
 *
 * <pre>{@code
 * Layer in = Layers.Input(28, 28);   // shape [28, 28], width 784
 * }</pre>
 */
public record InputLayer(int width, List<Integer> shape) implements Layer, SymbolicTensor {
    public InputLayer {
        if (shape == null || shape.isEmpty()) {
            throw new IllegalArgumentException("Input shape must have at least one dimension, got " + shape);
        }
        shape = List.copyOf(shape);
        long product = 1;
        for (int d : shape) {
            if (d <= 0) {
                throw new IllegalArgumentException("Input dimensions must be positive, got " + shape);
            }
            product *= d;
        }
        if (width <= 0) {
            throw new IllegalArgumentException("Input width must be a positive number of features, got " + width);
        }
        if (product != width) {
            throw new IllegalArgumentException("Input shape " + shape + " holds " + product + " values, not " + width);
        }
    }

    /** A flat input of {@code width} features. */
    public InputLayer(int width) {
        this(width, List.of(width));
    }

    /** An input of the given shape (without the batch axis). */
    public static InputLayer ofShape(int... shape) {
        if (shape == null || shape.length == 0) {
            throw new IllegalArgumentException("Input shape must have at least one dimension");
        }
        long product = 1;
        Integer[] dims = new Integer[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] <= 0) {
                throw new IllegalArgumentException("Input dimensions must be positive, got " + java.util.Arrays.toString(shape));
            }
            product *= shape[i];
            dims[i] = shape[i];
        }
        if (product > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Input shape " + java.util.Arrays.toString(shape) + " holds too many values");
        }
        return new InputLayer((int) product, List.of(dims));
    }

    public static InputLayer fromConfig(ConfigReader config) throws ModelFormatException {
        return ofShape(config.batchShape("batch_shape").dims());
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.putBatchShape("batch_shape", exampleShape());
    }

    /** The shape of one example, e.g. [28, 28]. */
    public Shape exampleShape() {
        return Shape.of(shape.stream().mapToInt(Integer::intValue).toArray());
    }

    /** True when each example is a vector (one dimension). */
    public boolean isFlat() {
        return shape.size() == 1;
    }

    @Override
    public String typeName() {
        return "InputLayer";
    }

    @Override
    public String baseName() {
        return "input_layer";
    }

    /** The model's rows, of {@code width} values, seen as examples of {@link #exampleShape()}. */
    @Override
    public OptionalInt outputWidth(OptionalInt input) {
        return OptionalInt.of(width());
    }

    @Override
    public Activation outputActivation(Activation input) {
        return Activation.LINEAR;
    }

    @Override
    public Shape outputShape(Shape input) {
        if (input.size() != width) {
            throw new IllegalArgumentException("takes rows of " + width + " values but gets examples of shape " + input);
        }
        return exampleShape();
    }

    /** The model's graph starts with examples of this layer's shape, so there is nothing to add. */
    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return input;
    }
}
