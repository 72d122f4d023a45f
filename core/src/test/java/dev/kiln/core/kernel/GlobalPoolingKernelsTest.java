package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.PoolingKernelsTest.expectClose;
import static dev.kiln.core.kernel.PoolingKernelsTest.start;
import static dev.kiln.core.kernel.TestBuffers.assertBitIdentical;
import static dev.kiln.core.kernel.TestBuffers.get;
import static dev.kiln.core.kernel.TestBuffers.uniform;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Global average and max pooling against plain loops in double (odd H, W and C, a 1×1 image, C of 1 and
 * past two vectors), with ties (the first maximum wins), bit for bit across splits of the images into 1, 2
 * and 3 parts, and against central differences.
 */
class GlobalPoolingKernelsTest {
    /** n, h, w, c. */
    private static final int[][] CASES = {{2, 5, 5, 64}, {3, 7, 9, 3}, {2, 1, 1, 17}, {1, 4, 6, 33}, {2, 3, 5, 1}};

    @Test
    void maxMatchesTheReferenceWithTiesAndEverySplitGivesTheSameBits() {
        for (int i = 0; i < CASES.length; i++) {
            check(CASES[i], true, false, i);
            check(CASES[i], true, true, 10 + i);
        }
    }

    @Test
    void averageMatchesTheReferenceAndEverySplitGivesTheSameBits() {
        for (int i = 0; i < CASES.length; i++) {
            check(CASES[i], false, false, 20 + i);
        }
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        for (boolean max : new boolean[] {false, true}) {
            int n = 2, h = 3, w = 4, c = 5;
            int inFloats = n * h * w * c;
            try (Arena arena = Arena.ofConfined()) {
                Random random = new Random(max ? 1 : 2);
                MemorySegment x = zeros(arena, inFloats);
                int[] order = random.ints(0, inFloats).distinct().limit(inFloats).toArray();
                for (int e = 0; e < inFloats; e++) {
                    x.setAtIndex(JAVA_FLOAT, e, (order[e] - inFloats / 2) * 0.01f);
                }
                MemorySegment g = uniform(arena, random, (long) n * c, -1f, 1f);
                MemorySegment y = zeros(arena, (long) n * c);
                MemorySegment argmax = zeros(arena, (long) n * c);
                MemorySegment dx = zeros(arena, inFloats);
                if (max) {
                    GlobalPoolingKernels.maxForward(x, h, w, c, 0, n, y, argmax);
                    GlobalPoolingKernels.maxBackward(g, argmax, h, w, c, 0, n, dx);
                } else {
                    GlobalPoolingKernels.averageBackward(g, h, w, c, 0, n, dx);
                }
                float step = 2e-3f;
                for (int e = 0; e < inFloats; e++) {
                    float original = get(x, e);
                    x.setAtIndex(JAVA_FLOAT, e, original + step);
                    double up = loss(x, g, y, argmax, h, w, c, n, max);
                    x.setAtIndex(JAVA_FLOAT, e, original - step);
                    double down = loss(x, g, y, argmax, h, w, c, n, max);
                    x.setAtIndex(JAVA_FLOAT, e, original);
                    double numeric = (up - down) / ((double) (original + step) - (original - step));
                    expectClose(numeric, get(dx, e), 1e-3 + 1e-3 * Math.abs(numeric),
                            (max ? "global max" : "global average") + " dx[" + e + "] by finite differences");
                }
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = zeros(arena, 64);
            assertThrows(IllegalArgumentException.class, () -> GlobalPoolingKernels.averageForward(m, 0, 2, 2, 0, 1, m));
            assertThrows(IllegalArgumentException.class, () -> GlobalPoolingKernels.maxForward(m, 2, 2, 2, 1, 0, m, m));
        }
    }

    private static double loss(MemorySegment x, MemorySegment g, MemorySegment y, MemorySegment argmax, int h, int w,
            int c, int n, boolean max) {
        if (max) {
            GlobalPoolingKernels.maxForward(x, h, w, c, 0, n, y, argmax);
        } else {
            GlobalPoolingKernels.averageForward(x, h, w, c, 0, n, y);
        }
        double sum = 0;
        for (long e = 0; e < (long) n * c; e++) {
            sum += (double) get(g, e) * get(y, e);
        }
        return sum;
    }

    private static void check(int[] shape, boolean max, boolean ties, long seed) {
        int n = shape[0], h = shape[1], w = shape[2], c = shape[3];
        long inFloats = (long) n * h * w * c;
        long outFloats = (long) n * c;
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment x = uniform(arena, random, inFloats, -1f, 1f);
            if (ties) {
                for (long e = 0; e < inFloats; e++) {
                    x.setAtIndex(JAVA_FLOAT, e, random.nextInt(3) - 1);
                }
            }
            MemorySegment dy = uniform(arena, random, outFloats, -1f, 1f);
            MemorySegment y1 = null;
            MemorySegment argmax1 = null;
            MemorySegment dx1 = null;
            for (int parts = 1; parts <= 3; parts++) {
                MemorySegment y = uniform(arena, random, outFloats, -9f, 9f);
                MemorySegment argmax = uniform(arena, random, outFloats, -9f, 9f);
                MemorySegment dx = uniform(arena, random, inFloats, -9f, 9f);
                for (int part = parts - 1; part >= 0; part--) {
                    int from = start(n, part, parts);
                    int to = start(n, part + 1, parts);
                    if (max) {
                        GlobalPoolingKernels.maxForward(x, h, w, c, from, to, y, argmax);
                        GlobalPoolingKernels.maxBackward(dy, argmax, h, w, c, from, to, dx);
                    } else {
                        GlobalPoolingKernels.averageForward(x, h, w, c, from, to, y);
                        GlobalPoolingKernels.averageBackward(dy, h, w, c, from, to, dx);
                    }
                }
                String what = (max ? "global max " : "global average ") + n + "×" + h + "×" + w + "×" + c + " ties="
                        + ties + " in " + parts + " parts";
                if (parts > 1) {
                    assertBitIdentical(y1, y, "y of " + what);
                    assertBitIdentical(dx1, dx, "dx of " + what);
                    if (max) {
                        assertBitIdentical(argmax1, argmax, "argmax of " + what);
                    }
                    continue;
                }
                y1 = y;
                argmax1 = argmax;
                dx1 = dx;
                double[] expectedDx = new double[(int) inFloats];
                for (int image = 0; image < n; image++) {
                    long base = (long) image * h * w * c;
                    for (int ch = 0; ch < c; ch++) {
                        long e = (long) image * c + ch;
                        if (max) {
                            int best = ch;
                            for (int p = 0; p < h * w; p++) {
                                if (get(x, base + (long) p * c + ch) > get(x, base + best)) {
                                    best = p * c + ch;
                                }
                            }
                            assertEquals(get(x, base + best), get(y, e), "y[" + e + "] of " + what);
                            assertEquals(best, argmax.getAtIndex(JAVA_INT, e), "argmax[" + e + "] of " + what);
                            expectedDx[(int) (base + best)] = get(dy, e);
                        } else {
                            double sum = 0;
                            for (int p = 0; p < h * w; p++) {
                                sum += get(x, base + (long) p * c + ch);
                            }
                            expectClose(sum / (h * w), get(y, e), 1e-6, "y[" + e + "] of " + what);
                            for (int p = 0; p < h * w; p++) {
                                expectedDx[(int) (base + (long) p * c + ch)] = get(dy, e) / (h * w);
                            }
                        }
                    }
                }
                for (int e = 0; e < inFloats; e++) {
                    expectClose(expectedDx[e], get(dx, e), 1e-6 * (1 + Math.abs(expectedDx[e])), "dx[" + e + "] of " + what);
                }
            }
        }
    }
}
