package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DropoutAndBiasKernelsTest {
    @Test
    void dropoutKeepsAboutOneMinusRateScaledAndAnySplitDrawsTheSameMask() {
        int n = 10_007; // not a multiple of the vector length: the scalar tail must agree with the body
        float rate = 0.3f;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = random(arena, n, 1);
            MemorySegment y = arena.allocate(4L * n, 64), mask = arena.allocate(4L * n, 64);
            MemorySegment y2 = arena.allocate(4L * n, 64), mask2 = arena.allocate(4L * n, 64);
            DropoutKernels.forward(x, y, mask, rate, 1234, 0, n);
            DropoutKernels.forward(x, y2, mask2, rate, 1234, 0, 5);
            DropoutKernels.forward(x, y2, mask2, rate, 1234, 5, 4099);
            DropoutKernels.forward(x, y2, mask2, rate, 1234, 4099, n);
            int kept = 0;
            for (int e = 0; e < n; e++) {
                float m = mask.getAtIndex(JAVA_FLOAT, e);
                assertTrue(m == 0f || m == 1f / (1f - rate), "mask " + m);
                kept += m == 0f ? 0 : 1;
                assertEquals(x.getAtIndex(JAVA_FLOAT, e) * m, y.getAtIndex(JAVA_FLOAT, e), "y[" + e + "]");
                assertEquals(m, mask2.getAtIndex(JAVA_FLOAT, e), "split changed mask[" + e + "]");
            }
            // 10,007 draws with p = 0.7: the kept count lies within 5 standard deviations of 7,005.
            assertEquals(0.7 * n, kept, 5 * Math.sqrt(n * 0.7 * 0.3));
            MemorySegment dy = random(arena, n, 2), dx = arena.allocate(4L * n, 64);
            DropoutKernels.backward(dy, mask, dx, 0, n);
            for (int e = 0; e < n; e++) {
                assertEquals(dy.getAtIndex(JAVA_FLOAT, e) * mask.getAtIndex(JAVA_FLOAT, e), dx.getAtIndex(JAVA_FLOAT, e));
            }
            DropoutKernels.forward(x, y2, mask2, rate, 1235, 0, n);
            int differ = 0;
            for (int e = 0; e < n; e++) {
                differ += mask.getAtIndex(JAVA_FLOAT, e) != mask2.getAtIndex(JAVA_FLOAT, e) ? 1 : 0;
            }
            assertTrue(differ > n / 4, "another seed must draw another mask, " + differ + " elements differ");
        }
    }

    @Test
    void biasIsAddedToEveryRowOnOddWidths() {
        for (int cols : new int[] {1, 15, 16, 17, 33}) {
            try (Arena arena = Arena.ofConfined()) {
                int rows = 5;
                MemorySegment x = random(arena, rows * cols, cols), b = random(arena, cols, 7);
                MemorySegment y = arena.allocate(4L * rows * cols, 64);
                BiasKernels.addBias(x, b, y, cols, 1, rows);
                for (int i = 0; i < rows; i++) {
                    for (int j = 0; j < cols; j++) {
                        float expected = i == 0 ? 0f : x.getAtIndex(JAVA_FLOAT, (long) i * cols + j) + b.getAtIndex(JAVA_FLOAT, j);
                        assertEquals(expected, y.getAtIndex(JAVA_FLOAT, (long) i * cols + j), "row " + i + " col " + j);
                    }
                }
            }
        }
    }

    private static MemorySegment random(Arena arena, int n, long seed) {
        Random r = new Random(seed);
        MemorySegment s = arena.allocate(4L * n, 64);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(JAVA_FLOAT, i, (float) r.nextGaussian());
        }
        return s;
    }
}
