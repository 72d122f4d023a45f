package dev.kiln.core.graph;

import dev.kiln.core.memory.Memory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;

/**
 * Places buffers back to back, each starting on a 64-byte boundary, then allocates them all at once:
 * one allocation per compiled graph region instead of one per buffer, and nothing allocated later.
 *
 * <p>Every buffer is followed by one vector of padding that belongs to its slice. A masked load of a
 * row's last lanes then never reaches past the end of its segment; when it would, the Vector API
 * leaves its fast path and checks the lanes one by one, allocating on every call.
 */
final class MemoryPlan {
    static final long PADDING_FLOATS = Math.max(Memory.ALIGNMENT / Float.BYTES, FloatVector.SPECIES_PREFERRED.length());

    private long floats;

    /** Reserves {@code count} floats and returns their offset, in floats, from the start of the region. */
    long reserve(long count) {
        long offset = floats;
        floats += Memory.alignedFloats(count + PADDING_FLOATS);
        return offset;
    }

    long totalFloats() {
        return floats;
    }

    MemorySegment allocate(Arena arena) {
        return Memory.allocateFloats(arena, floats);
    }

    /** The buffer of {@code count} floats at {@code offset}, with its padding. */
    static MemorySegment slice(MemorySegment region, long offset, long count) {
        return region.asSlice(offset * Float.BYTES, (count + PADDING_FLOATS) * Float.BYTES);
    }
}
