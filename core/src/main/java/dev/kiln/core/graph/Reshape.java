package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import dev.kiln.core.memory.Shape;

/**
 * The same example with another shape of the same size, such as Keras' Flatten ({@code [5, 5, 64]} to
 * {@code [1600]}). Examples are stored row-major and back to back, so it moves nothing: the compiled
 * graph gives its output (and output gradient) the input's memory and runs no step for it.
 *
 * <pre>{@code
 * Node flat = graph.add("flatten", new Reshape(Shape.of(1600)), features);
 * }</pre>
 */
public record Reshape(Shape target) implements Op {
    @Override
    public Shape outputShape(Shape input) {
        if (input.size() != target.size()) {
            throw new IllegalArgumentException("cannot reshape examples of shape " + input + " (" + input.size()
                    + " values) to " + target + " (" + target.size() + " values)");
        }
        return target;
    }

    @Override
    public boolean viewsInput() {
        return true;
    }

    @Override
    public Step forward(NodeBuffers buffers, boolean training, KernelPool pool) {
        return null;
    }

    @Override
    public Step backward(NodeBuffers buffers, KernelPool pool) {
        return null;
    }

    @Override
    public String describe() {
        return "reshape → " + target;
    }
}
