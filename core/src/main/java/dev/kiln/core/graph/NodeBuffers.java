package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;
import java.lang.foreign.MemorySegment;

/**
 * The memory one compiled node reads and writes, sized for the graph's batch capacity: its input and
 * output, their gradients (null where the graph needs none), per-row scratch and per-graph scratch
 * kept for the backward pass, and a per-graph {@code workspace}. {@code scratch}, {@code backwardScratch}
 * and {@code workspace} are null unless the op asked for some ({@link Op#workspaceFloats}: per-graph
 * statistics such as batch norm's). Rows of the input and output are examples of {@code inputShape} and
 * {@code outputShape}, each its size in floats.
 */
public record NodeBuffers(
        MemorySegment input,
        MemorySegment output,
        MemorySegment inputGradient,
        MemorySegment outputGradient,
        MemorySegment scratch,
        MemorySegment backwardScratch,
        Shape inputShape,
        Shape outputShape,
        MemorySegment workspace) {

    /** Floats per input row. */
    public int inputWidth() {
        return inputShape.size();
    }

    /** Floats per output row. */
    public int outputWidth() {
        return outputShape.size();
    }
}
