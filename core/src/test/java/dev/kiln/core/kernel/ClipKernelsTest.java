package dev.kiln.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The clipping kernels against plain scalar loops, on sizes that leave vector tails and on sub-ranges. */
class ClipKernelsTest {
    private static final int[] SIZES = {1, 3, 7, 16, 17, 33, 1001, 4099};

    @Test
    void sumOfSquaresMatchesADoubleLoop() {
        Random random = new Random(1);
        for (int n : SIZES) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment g = TestBuffers.uniform(arena, random, n, -3f, 3f);
                for (int[] range : new int[][] {{0, n}, {n / 3, n}, {0, n - n / 4}}) {
                    double expected = 0;
                    for (int e = range[0]; e < range[1]; e++) {
                        double x = TestBuffers.get(g, e);
                        expected += x * x;
                    }
                    double actual = ClipKernels.sumOfSquares(g, range[0], range[1]);
                    assertEquals(expected, actual, 1e-12 * Math.max(1, expected), "n=" + n + " range " + range[0] + ".." + range[1]);
                }
            }
        }
    }

    @Test
    void scaleMultipliesEveryElementOfTheRangeOnly() {
        Random random = new Random(2);
        for (int n : SIZES) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment g = TestBuffers.uniform(arena, random, n, -3f, 3f);
                MemorySegment before = TestBuffers.copy(arena, g);
                int from = n / 5;
                ClipKernels.scale(g, 0.37f, from, n);
                for (int e = 0; e < n; e++) {
                    float expected = e < from ? TestBuffers.get(before, e) : TestBuffers.get(before, e) * 0.37f;
                    assertEquals(expected, TestBuffers.get(g, e), 0f, "n=" + n + " element " + e);
                }
            }
        }
    }

    @Test
    void clipValueBoundsEveryElementAndKeepsNaN() {
        Random random = new Random(3);
        for (int n : SIZES) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment g = TestBuffers.uniform(arena, random, n, -3f, 3f);
                if (n > 2) {
                    g.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, n - 2, Float.NaN);
                }
                MemorySegment before = TestBuffers.copy(arena, g);
                ClipKernels.clipValue(g, 0.5f, 0, n);
                for (int e = 0; e < n; e++) {
                    float x = TestBuffers.get(before, e);
                    float expected = Float.isNaN(x) ? Float.NaN : x > 0.5f ? 0.5f : x < -0.5f ? -0.5f : x;
                    assertEquals(expected, TestBuffers.get(g, e), 0f, "n=" + n + " element " + e);
                }
            }
        }
    }
}
