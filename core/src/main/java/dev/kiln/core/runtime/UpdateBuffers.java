package dev.kiln.core.runtime;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * The buffers an update rule works on: every trainable parameter back to back in {@code weights}, the
 * gradients and each slot laid out the same way, so that one pass over one range updates the whole
 * model. {@code slots} holds as many buffers as the rule keeps.
 */
public record UpdateBuffers(MemorySegment weights, MemorySegment gradients, List<MemorySegment> slots) {
    public UpdateBuffers {
        slots = List.copyOf(slots);
    }

    public MemorySegment slot(int index) {
        return slots.get(index);
    }
}
