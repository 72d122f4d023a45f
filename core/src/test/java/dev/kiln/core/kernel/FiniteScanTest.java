package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Memory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The non-finite scan against the obvious scalar loop, for every position of the bad value and odd sizes. */
class FiniteScanTest {
    private static final float[] BAD = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};

    @Test
    void findsEveryNonFiniteValueAtEveryPositionOfOddSizes() {
        Random random = new Random(4);
        try (Arena arena = Arena.ofConfined()) {
            for (int n : new int[] {0, 1, 7, 15, 16, 17, 31, 32, 33, 100, 257}) {
                MemorySegment x = Memory.allocateFloats(arena, n + 3);
                for (int i = 0; i < n + 3; i++) {
                    // Finite extremes included: 3e38 − 3e38 is 0, so they must not read as overflow.
                    x.setAtIndex(JAVA_FLOAT, i, i % 5 == 0 ? 3e38f * (random.nextBoolean() ? 1 : -1)
                            : (float) random.nextGaussian());
                }
                x.setAtIndex(JAVA_FLOAT, n, Float.NaN); // just past the range: must not be seen
                assertTrue(FiniteScan.allFinite(x, 0, n), "clean, n=" + n);
                assertEquals(-1, FiniteScan.firstNonFinite(x, 0, n));
                for (int at = 0; at < n; at++) {
                    float saved = x.getAtIndex(JAVA_FLOAT, at);
                    float bad = BAD[at % 3];
                    x.setAtIndex(JAVA_FLOAT, at, bad);
                    assertFalse(FiniteScan.allFinite(x, 0, n), bad + " at " + at + " of " + n);
                    assertEquals(at, FiniteScan.firstNonFinite(x, 0, n), bad + " at " + at + " of " + n);
                    assertTrue(FiniteScan.allFinite(x, at + 1, n), "a range after it is clean");
                    x.setAtIndex(JAVA_FLOAT, at, saved);
                }
            }
        }
    }

    @Test
    void firstNonFiniteOfALargeBufferCrossesBlocks() {
        try (Arena arena = Arena.ofConfined()) {
            int n = 200_003;
            MemorySegment x = Memory.allocateFloats(arena, n);
            x.setAtIndex(JAVA_FLOAT, 150_001, Float.NEGATIVE_INFINITY);
            x.setAtIndex(JAVA_FLOAT, 199_999, Float.NaN);
            assertEquals(150_001, FiniteScan.firstNonFinite(x, 0, n));
            assertEquals(199_999, FiniteScan.firstNonFinite(x, 150_002, n));
        }
    }

    @Test
    void allFiniteOfAnArrayFindsEveryNonFiniteValueAtEveryPositionOfOddSizes() {
        Random random = new Random(5);
        for (int n : new int[] {0, 1, 7, 15, 16, 17, 31, 32, 33, 100, 257, 784}) {
            float[] x = new float[n];
            for (int i = 0; i < n; i++) {
                x[i] = i % 5 == 0 ? 3e38f * (random.nextBoolean() ? 1 : -1) : (float) random.nextGaussian();
            }
            assertTrue(FiniteScan.allFinite(x), "clean, n=" + n);
            for (int at = 0; at < n; at++) {
                float saved = x[at];
                x[at] = BAD[at % 3];
                assertFalse(FiniteScan.allFinite(x), x[at] + " at " + at + " of " + n);
                x[at] = saved;
            }
        }
    }
}
