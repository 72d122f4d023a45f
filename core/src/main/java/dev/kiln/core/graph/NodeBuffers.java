package dev.kiln.core.graph;

import java.lang.foreign.MemorySegment;

/**
 * The memory one node's steps are bound to, from the compiled graph's plan. Gradient buffers are
 * null where the graph needs no gradient; {@code scratch}, {@code backwardScratch} and
 * {@code workspace} are null unless the op asked for some ({@link Op#workspaceFloats}: per-graph
 * floats that forward and backward share, e.g. batch statistics).
 */
public record NodeBuffers(
        MemorySegment input,
        MemorySegment output,
        MemorySegment inputGradient,
        MemorySegment outputGradient,
        MemorySegment scratch,
        MemorySegment backwardScratch,
        int inputWidth,
        int outputWidth,
        MemorySegment workspace) {

    public NodeBuffers(MemorySegment input, MemorySegment output, MemorySegment inputGradient,
            MemorySegment outputGradient, MemorySegment scratch, MemorySegment backwardScratch, int inputWidth,
            int outputWidth) {
        this(input, output, inputGradient, outputGradient, scratch, backwardScratch, inputWidth, outputWidth, null);
    }
}
