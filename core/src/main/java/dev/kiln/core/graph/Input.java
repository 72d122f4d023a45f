package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;

/** The graph's input: the batch rows the caller loads; it computes nothing. */
public record Input(int width) implements Op {
    public Input {
        if (width <= 0) {
            throw new IllegalArgumentException("input width must be positive, got " + width);
        }
    }

    @Override
    public int outputWidth(int inputWidth) {
        return width;
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
        return "input[" + width + "]";
    }
}
