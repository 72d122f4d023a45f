package dev.kiln.core.graph;

import dev.kiln.core.memory.Memory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Places buffers back to back, each starting on a 64-byte boundary, then allocates them all at once:
 * one allocation per compiled graph region instead of one per buffer, and nothing allocated later.
 */
final class MemoryPlan {
    private long floats;

    /** Reserves {@code count} floats and returns their offset, in floats, from the start of the region. */
    long reserve(long count) {
        long offset = floats;
        floats += Memory.alignedFloats(count);
        return offset;
    }

    long totalFloats() {
        return floats;
    }

    MemorySegment allocate(Arena arena) {
        return Memory.allocateFloats(arena, floats);
    }

    static MemorySegment slice(MemorySegment region, long offset, long count) {
        return region.asSlice(offset * Float.BYTES, count * Float.BYTES);
    }
}
