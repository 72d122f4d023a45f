package dev.kiln.layers;

import dev.kiln.core.graph.Node;
import dev.kiln.core.graph.Reshape;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import java.util.Arrays;
import java.util.OptionalInt;

/**
 * Keras' {@code Reshape}: gives each example a new shape with the same number of values, in row-major
 * order; one dimension may be -1, inferred from the others. Like Flatten it moves no data.
 *
 * <pre>{@code
 * Sequential.of(Input(784), Reshape(28, 28, 1), Conv2D(32, 3, "relu"), ...)
 * }</pre>
 */
public record ReshapeLayer(int[] targetShape) implements Layer {
    public ReshapeLayer {
        if (targetShape == null || targetShape.length == 0) {
            throw new IllegalArgumentException("Reshape needs at least one dimension");
        }
        int unknown = 0;
        for (int d : targetShape) {
            if (d == -1) {
                unknown++;
            } else if (d <= 0) {
                throw new IllegalArgumentException("Reshape dimensions must be positive or -1, got " + Arrays.toString(targetShape));
            }
        }
        if (unknown > 1) {
            throw new IllegalArgumentException("Reshape may infer one dimension (-1), got " + Arrays.toString(targetShape));
        }
        targetShape = targetShape.clone();
    }

    @Override
    public int[] targetShape() {
        return targetShape.clone();
    }

    public static ReshapeLayer fromConfig(ConfigReader config) throws ModelFormatException {
        return new ReshapeLayer(config.intList("target_shape"));
    }

    @Override
    public String typeName() {
        return "Reshape";
    }

    @Override
    public String baseName() {
        return "reshape";
    }

    @Override
    public Shape outputShape(Shape input) {
        long known = 1;
        int inferred = -1;
        for (int i = 0; i < targetShape.length; i++) {
            if (targetShape[i] == -1) {
                inferred = i;
            } else {
                known *= targetShape[i];
                if (known > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("cannot reshape examples of shape " + input + " to "
                            + Arrays.toString(targetShape) + ": more than " + Integer.MAX_VALUE + " values");
                }
            }
        }
        int[] dims = targetShape.clone();
        if (inferred >= 0) {
            if (input.size() % known != 0) {
                throw new IllegalArgumentException("cannot reshape examples of shape " + input + " (" + input.size()
                        + " values) to " + Arrays.toString(targetShape) + ": " + input.size() + " is not a multiple of " + known);
            }
            dims[inferred] = Math.toIntExact(input.size() / known);
        } else if (known != input.size()) {
            throw new IllegalArgumentException("cannot reshape examples of shape " + input + " (" + input.size()
                    + " values) to " + Arrays.toString(targetShape) + " (" + known + " values)");
        }
        return Shape.of(dims);
    }

    /** The same values in another shape: as many as before. */
    @Override
    public OptionalInt outputWidth(OptionalInt input) {
        return input;
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return lowering.add(new Reshape(outputShape(lowering.inputShape())), input);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("target_shape", targetShape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ReshapeLayer r && Arrays.equals(targetShape, r.targetShape);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(targetShape);
    }

    @Override
    public String toString() {
        return "ReshapeLayer" + Arrays.toString(targetShape);
    }
}
