package dev.kiln.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Aligned off-heap allocation for float buffers. */
public final class Memory {
    /** A cache line, and the width of one AVX-512 vector: aligned buffers never split a vector load. */
    public static final long ALIGNMENT = 64;

    private Memory() {
    }

    /** A zero-filled segment of {@code count} floats, {@link #ALIGNMENT}-aligned. */
    public static MemorySegment allocateFloats(Arena arena, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("cannot allocate " + count + " floats");
        }
        return arena.allocate(Math.multiplyExact(Math.max(count, 1), (long) Float.BYTES), ALIGNMENT);
    }

    /**
     * A new shared arena whose allocations {@link #liveBytes()} counts; what compiled models use for
     * their parameters, optimizer state and workspace. Close it to free its memory.
     */
    public static Arena newArena() {
        return new CountedArena();
    }

    /**
     * Bytes currently allocated in arenas from {@link #newArena()} and not yet freed by closing them:
     * returns to its earlier value once every model made since has been closed.
     */
    public static long liveBytes() {
        return CountedArena.LIVE_BYTES.get();
    }

    /** {@code floats} rounded up so that the next buffer after it starts aligned. */
    public static long alignedFloats(long floats) {
        long perLine = ALIGNMENT / Float.BYTES;
        return (floats + perLine - 1) / perLine * perLine;
    }
}
