package dev.kiln.layers;

import dev.kiln.core.graph.Node;
import dev.kiln.core.graph.Op;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigWriter;
import java.util.List;

/**
 * A layer that reads two or more tensors of a functional model and combines them: {@link AddLayer},
 * {@link ConcatenateLayer}, {@link MultiplyLayer}. It has no weights; its engine op does the work.
 *
 * <pre>{@code
 * var sum = Add().apply(h, Dense(64, "relu").apply(h));   // a residual connection
 * }</pre>
 */
public sealed interface MergeLayer extends Layer permits AddLayer, ConcatenateLayer, MultiplyLayer {

    /** The engine op that computes the merge. */
    Op op();

    @Override
    default Shape outputShape(List<Shape> inputs) {
        return inputs.size() < 2 ? outputShape(inputs.get(0)) : op().outputShape(inputs);
    }

    /** One input: refused, whether in a Sequential or applied to one tensor. */
    @Override
    default Shape outputShape(Shape input) {
        throw new IllegalArgumentException("merges two or more inputs but gets one: apply it to the tensors it"
                + " merges in a functional model, e.g. " + typeName() + "().apply(a, b)");
    }

    @Override
    default Node lower(LayerLowering lowering, Node input) {
        throw new IllegalArgumentException(typeName() + " merges two or more inputs, got one");
    }

    @Override
    default Node lower(LayerLowering lowering, List<Node> inputs) {
        return lowering.add(op(), inputs);
    }

    @Override
    default void writeConfig(ConfigWriter config) {
    }
}
