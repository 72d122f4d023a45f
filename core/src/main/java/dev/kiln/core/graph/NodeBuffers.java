package dev.kiln.core.graph;

import java.lang.foreign.MemorySegment;

/**
 * The memory one node's steps are bound to, from the compiled graph's plan. Gradient buffers are
 * null where the graph needs no gradient; {@code scratch} and {@code backwardScratch} are null unless the op asked for some.
 */
public record NodeBuffers(
        MemorySegment input,
        MemorySegment output,
        MemorySegment inputGradient,
        MemorySegment outputGradient,
        MemorySegment scratch,
        MemorySegment backwardScratch,
        int inputWidth,
        int outputWidth) {
}
