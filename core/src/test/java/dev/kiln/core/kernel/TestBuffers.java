package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/** Test buffers: exact-size, 64-byte aligned segments (so any overrun throws) filled from a seeded Random. */
final class TestBuffers {
    static final int ALIGNMENT = 64;

    private TestBuffers() {
    }

    /** A zeroed buffer of exactly {@code floats} elements. */
    static MemorySegment zeros(Arena arena, long floats) {
        return arena.allocate(floats * Float.BYTES, ALIGNMENT);
    }

    /** Uniform values in [lo, hi). */
    static MemorySegment uniform(Arena arena, Random random, long floats, float lo, float hi) {
        MemorySegment s = zeros(arena, floats);
        for (long e = 0; e < floats; e++) {
            s.setAtIndex(JAVA_FLOAT, e, lo + (hi - lo) * random.nextFloat());
        }
        return s;
    }

    static MemorySegment of(Arena arena, float... values) {
        MemorySegment s = zeros(arena, values.length);
        MemorySegment.copy(values, 0, s, JAVA_FLOAT, 0, values.length);
        return s;
    }

    static float get(MemorySegment s, long index) {
        return s.getAtIndex(JAVA_FLOAT, index);
    }

    static MemorySegment copy(Arena arena, MemorySegment source) {
        MemorySegment s = arena.allocate(source.byteSize(), ALIGNMENT);
        s.copyFrom(source);
        return s;
    }

    /** Fails naming the first element whose bits differ. */
    static void assertBitIdentical(MemorySegment expected, MemorySegment actual, String what) {
        long n = expected.byteSize() / Float.BYTES;
        for (long e = 0; e < n; e++) {
            int a = Float.floatToRawIntBits(get(expected, e));
            int b = Float.floatToRawIntBits(get(actual, e));
            if (a != b) {
                fail(what + ": element " + e + " differs: " + get(expected, e) + " vs " + get(actual, e));
            }
        }
    }
}
