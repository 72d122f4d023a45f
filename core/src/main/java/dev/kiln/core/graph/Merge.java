package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;
import java.util.List;

/**
 * An op that reads several nodes (two or more) and combines their examples into one: the joins of a
 * graph that is not a chain, such as a residual connection's sum or the concatenation of two branches.
 */
public sealed interface Merge extends Op permits Add, Multiply, Concatenate {

    /** Shape inference over all inputs, in the order the node reads them. */
    @Override
    Shape outputShape(List<Shape> inputs);

    @Override
    default Shape outputShape(Shape input) {
        throw new IllegalArgumentException(describe() + " merges two or more inputs, got one");
    }

    /** The shapes must all be {@code inputs.get(0)}: what elementwise merges require. */
    static Shape sameShape(String what, List<Shape> inputs) {
        if (inputs.size() < 2) {
            throw new IllegalArgumentException(what + " merges two or more inputs, got " + inputs.size());
        }
        for (int i = 1; i < inputs.size(); i++) {
            if (!inputs.get(i).equals(inputs.get(0))) {
                throw new IllegalArgumentException(what + " needs inputs of one shape, but input 0 has examples of"
                        + " shape " + inputs.get(0) + " and input " + i + " of shape " + inputs.get(i));
            }
        }
        return inputs.get(0);
    }
}
