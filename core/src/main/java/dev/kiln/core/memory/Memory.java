package dev.kiln.core.memory;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Aligned off-heap allocation for float buffers. */
public final class Memory {
    /** A cache line, and the width of one AVX-512 vector: aligned buffers never split a vector load. */
    public static final long ALIGNMENT = 64;

    static {
        loadEverySegmentKind();
    }

    private Memory() {
    }

    /**
     * Loads every heap-backed segment class before any kernel is compiled. The JIT compiles segment
     * accesses assuming the segment classes loaded so far are all there are; a new one appearing later
     * (the Vector API's interpreted fallback makes a byte[] segment the first time a softmax runs, say,
     * at the first predict after fit) throws away every compiled kernel at once, and the next calls
     * run interpreted, tens of times slower, until the JIT has compiled them again.
     */
    private static void loadEverySegmentKind() {
        MemorySegment.ofArray(new byte[1]);
        MemorySegment.ofArray(new char[1]);
        MemorySegment.ofArray(new short[1]);
        MemorySegment.ofArray(new int[1]);
        MemorySegment.ofArray(new float[1]);
        MemorySegment.ofArray(new long[1]);
        MemorySegment.ofArray(new double[1]);
    }

    /** A zero-filled segment of {@code count} floats, {@link #ALIGNMENT}-aligned. */
    public static MemorySegment allocateFloats(Arena arena, long count) {
        if (count < 0 || count > Long.MAX_VALUE / Float.BYTES) {
            throw new IllegalArgumentException("cannot allocate " + count + " floats: expected 0 to "
                    + Long.MAX_VALUE / Float.BYTES);
        }
        return arena.allocate(Math.max(count, 1) * Float.BYTES, ALIGNMENT);
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
