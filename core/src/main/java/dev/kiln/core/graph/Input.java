package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import dev.kiln.core.memory.Shape;

/** The graph's input: examples of {@code shape}, loaded into its output buffer before each step. */
public record Input(Shape shape) implements Op {
    public Input {
        if (shape == null) {
            throw new IllegalArgumentException("the input needs a shape");
        }
    }

    @Override
    public Shape outputShape(Shape input) {
        return shape;
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
        return "input" + shape;
    }
}
