package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.TestBuffers.assertBitIdentical;
import static dev.kiln.core.kernel.TestBuffers.get;
import static dev.kiln.core.kernel.TestBuffers.uniform;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Max and average pooling against plain loops in double on odd shapes (odd H, W and C; C of 1, below, at and
 * past one and two vectors; overlapping windows, strides 1, 2 and 3 and mixed; both paddings; a window
 * larger than the image; a 1×1 window; a single output row), with ties (the first maximum must win), bit
 * for bit across splits into 1, 2 and 3 parts, and against central differences for both paddings and
 * strides 1, 2 and 3.
 */
class PoolingKernelsTest {
    /** n, h, w, c, window h, window w, stride h, stride w, SAME (1) or VALID (0). */
    private static final int[][] CASES = {
        {2, 7, 9, 3, 2, 2, 2, 2, 0},
        {2, 7, 9, 3, 2, 2, 2, 2, 1},
        {1, 9, 8, 17, 3, 3, 2, 2, 1},
        {2, 10, 11, 33, 3, 3, 3, 3, 0},
        {2, 10, 11, 33, 3, 3, 3, 3, 1},
        {3, 5, 6, 16, 2, 2, 1, 1, 0},
        {2, 5, 7, 1, 5, 3, 2, 1, 0},
        {1, 4, 4, 5, 5, 5, 2, 2, 1},
        {2, 6, 7, 40, 1, 1, 2, 2, 1},
        {2, 11, 11, 64, 2, 2, 2, 2, 0},
        {1, 8, 5, 35, 3, 2, 1, 3, 1},
    };

    @Test
    void maxPoolingMatchesTheReferenceWithTiesAndEverySplitGivesTheSameBits() {
        for (int i = 0; i < CASES.length; i++) {
            checkMax(CASES[i], false, 10 + i);
            checkMax(CASES[i], true, 40 + i);
        }
    }

    @Test
    void averagePoolingMatchesTheReferenceAndEverySplitGivesTheSameBits() {
        for (int i = 0; i < CASES.length; i++) {
            checkAverage(CASES[i], 70 + i);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesForEveryPaddingAndStride() {
        for (int same = 0; same <= 1; same++) {
            for (int stride = 1; stride <= 3; stride++) {
                int[] c = {2, 7, 8, 3, 3, 3, stride, stride, same};
                finiteDifferences(c, true, 100L * stride + same);
                finiteDifferences(c, false, 200L * stride + same);
            }
        }
    }

    @Test
    void badArgumentsAreRefused() {
        Window2d window = Window2d.of(4, 4, 2, 2, 2, 2, Padding.VALID);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment m = zeros(arena, 64);
            assertThrows(IllegalArgumentException.class, () -> PoolingKernels.maxForward(m, window, 0, 0, 4, m, m));
            assertThrows(IllegalArgumentException.class, () -> PoolingKernels.averageForward(m, window, 1, 3, 2, m));
            assertThrows(IllegalArgumentException.class, () -> PoolingKernels.averageBackward(m, window, 1, -1, 0, m));
        }
        assertThrows(IllegalArgumentException.class, () -> Window2d.of(4, 4, 5, 2, 2, 2, Padding.VALID));
        assertThrows(IllegalArgumentException.class, () -> Window2d.of(4, 4, 2, 2, 2, 0, Padding.SAME));
    }

    private static Window2d window(int[] c) {
        Padding padding = c[8] == 1 ? Padding.SAME : Padding.VALID;
        Window2d w = Window2d.of(c[1], c[2], c[4], c[5], c[6], c[7], padding);
        assertEquals(ConvReference.out(c[1], c[4], c[6], padding), w.outHeight(), "out height");
        assertEquals(ConvReference.out(c[2], c[5], c[7], padding), w.outWidth(), "out width");
        assertEquals(ConvReference.padBefore(c[1], c[4], c[6], w.outHeight(), padding), w.padTop(), "pad top");
        assertEquals(ConvReference.padBefore(c[2], c[5], c[7], w.outWidth(), padding), w.padLeft(), "pad left");
        return w;
    }

    /** The in-bounds input positions (ih·W + iw) of output (oh, ow)'s window, row by row. */
    private static int[] positions(Window2d w, int oh, int ow) {
        int top = oh * w.strideHeight() - w.padTop();
        int left = ow * w.strideWidth() - w.padLeft();
        return java.util.stream.IntStream.range(0, w.windowHeight() * w.windowWidth())
                .filter(t -> inside(top + t / w.windowWidth(), w.height()) && inside(left + t % w.windowWidth(), w.width()))
                .map(t -> (top + t / w.windowWidth()) * w.width() + left + t % w.windowWidth())
                .toArray();
    }

    private static boolean inside(int i, int size) {
        return i >= 0 && i < size;
    }

    private static void checkMax(int[] c, boolean ties, long seed) {
        Window2d w = window(c);
        int n = c[0];
        int channels = c[3];
        long inFloats = (long) n * w.inPixels() * channels;
        int pixels = n * w.outPixels();
        long outFloats = (long) pixels * channels;
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment x = ties ? integers(arena, random, inFloats) : uniform(arena, random, inFloats, -1f, 1f);
            MemorySegment dy = uniform(arena, random, outFloats, -1f, 1f);
            MemorySegment y1 = null;
            MemorySegment argmax1 = null;
            MemorySegment dx1 = null;
            for (int parts = 1; parts <= 3; parts++) {
                MemorySegment y = uniform(arena, random, outFloats, -9f, 9f);
                MemorySegment argmax = uniform(arena, random, outFloats, -9f, 9f);
                MemorySegment dx = uniform(arena, random, inFloats, -9f, 9f);
                for (int part = parts - 1; part >= 0; part--) {
                    PoolingKernels.maxForward(x, w, channels, start(pixels, part, parts), start(pixels, part + 1, parts),
                            y, argmax);
                }
                for (int part = parts - 1; part >= 0; part--) {
                    PoolingKernels.maxBackward(dy, argmax, w, channels, start(n, part, parts), start(n, part + 1, parts),
                            dx);
                }
                String what = "max pool " + w + " × " + channels + " ties=" + ties + " in " + parts + " parts";
                if (parts > 1) {
                    assertBitIdentical(y1, y, "y of " + what);
                    assertBitIdentical(argmax1, argmax, "argmax of " + what);
                    assertBitIdentical(dx1, dx, "dx of " + what);
                    continue;
                }
                y1 = y;
                argmax1 = argmax;
                dx1 = dx;
                double[] expectedDx = new double[(int) inFloats];
                for (int r = 0; r < pixels; r++) {
                    int image = r / w.outPixels();
                    int[] window = positions(w, r % w.outPixels() / w.outWidth(), r % w.outWidth());
                    for (int ch = 0; ch < channels; ch++) {
                        long imageBase = (long) image * w.inPixels() * channels;
                        int best = window[0] * channels + ch;
                        for (int p : window) {
                            if (get(x, imageBase + (long) p * channels + ch) > get(x, imageBase + best)) {
                                best = p * channels + ch;
                            }
                        }
                        long e = (long) r * channels + ch;
                        assertEquals(get(x, imageBase + best), get(y, e), "y[" + e + "] of " + what);
                        assertEquals(best, argmax.getAtIndex(JAVA_INT, e), "argmax[" + e + "] of " + what);
                        expectedDx[(int) (imageBase + best)] += get(dy, e);
                    }
                }
                for (int e = 0; e < inFloats; e++) {
                    expectClose(expectedDx[e], get(dx, e), 1e-6 * (1 + Math.abs(expectedDx[e])), "dx[" + e + "] of " + what);
                }
            }
        }
    }

    private static void checkAverage(int[] c, long seed) {
        Window2d w = window(c);
        int n = c[0];
        int channels = c[3];
        long inFloats = (long) n * w.inPixels() * channels;
        int pixels = n * w.outPixels();
        long outFloats = (long) pixels * channels;
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment x = uniform(arena, random, inFloats, -1f, 1f);
            MemorySegment dy = uniform(arena, random, outFloats, -1f, 1f);
            MemorySegment y1 = null;
            MemorySegment dx1 = null;
            for (int parts = 1; parts <= 3; parts++) {
                MemorySegment y = uniform(arena, random, outFloats, -9f, 9f);
                MemorySegment dx = uniform(arena, random, inFloats, -9f, 9f);
                for (int part = parts - 1; part >= 0; part--) {
                    PoolingKernels.averageForward(x, w, channels, start(pixels, part, parts),
                            start(pixels, part + 1, parts), y);
                }
                for (int part = parts - 1; part >= 0; part--) {
                    PoolingKernels.averageBackward(dy, w, channels, start(n, part, parts), start(n, part + 1, parts), dx);
                }
                String what = "average pool " + w + " × " + channels + " in " + parts + " parts";
                if (parts > 1) {
                    assertBitIdentical(y1, y, "y of " + what);
                    assertBitIdentical(dx1, dx, "dx of " + what);
                    continue;
                }
                y1 = y;
                dx1 = dx;
                double[] expectedDx = new double[(int) inFloats];
                for (int r = 0; r < pixels; r++) {
                    long imageBase = (long) (r / w.outPixels()) * w.inPixels() * channels;
                    int[] window = positions(w, r % w.outPixels() / w.outWidth(), r % w.outWidth());
                    for (int ch = 0; ch < channels; ch++) {
                        double sum = 0;
                        for (int p : window) {
                            sum += get(x, imageBase + (long) p * channels + ch);
                        }
                        long e = (long) r * channels + ch;
                        expectClose(sum / window.length, get(y, e), 1e-6, "y[" + e + "] of " + what);
                        for (int p : window) {
                            expectedDx[(int) (imageBase + (long) p * channels + ch)] += get(dy, e) / window.length;
                        }
                    }
                }
                for (int e = 0; e < inFloats; e++) {
                    expectClose(expectedDx[e], get(dx, e), 1e-6, "dx[" + e + "] of " + what);
                }
            }
        }
    }

    /**
     * L = Σ g·pool(x) by central differences in every element of x against the backward kernel. For max
     * pooling the inputs are distinct multiples of 0.01 and h is below half their spacing, so no step
     * changes which element is the maximum.
     */
    private static void finiteDifferences(int[] c, boolean max, long seed) {
        Window2d w = window(c);
        int n = c[0];
        int channels = c[3];
        int inFloats = n * w.inPixels() * channels;
        int outFloats = n * w.outPixels() * channels;
        float h = max ? 2e-3f : 1e-2f;
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            MemorySegment x = zeros(arena, inFloats);
            int[] order = random.ints(0, inFloats).distinct().limit(inFloats).toArray();
            for (int e = 0; e < inFloats; e++) {
                x.setAtIndex(JAVA_FLOAT, e, (order[e] - inFloats / 2) * 0.01f);
            }
            MemorySegment g = uniform(arena, random, outFloats, -1f, 1f);
            MemorySegment y = zeros(arena, outFloats);
            MemorySegment argmax = zeros(arena, outFloats);
            MemorySegment dx = zeros(arena, inFloats);
            if (max) {
                PoolingKernels.maxForward(x, w, channels, 0, n * w.outPixels(), y, argmax);
                PoolingKernels.maxBackward(g, argmax, w, channels, 0, n, dx);
            } else {
                PoolingKernels.averageBackward(g, w, channels, 0, n, dx);
            }
            for (int e = 0; e < inFloats; e++) {
                float original = get(x, e);
                x.setAtIndex(JAVA_FLOAT, e, original + h);
                double up = loss(x, g, y, argmax, w, channels, n, max);
                x.setAtIndex(JAVA_FLOAT, e, original - h);
                double down = loss(x, g, y, argmax, w, channels, n, max);
                x.setAtIndex(JAVA_FLOAT, e, original);
                double numeric = (up - down) / ((double) (original + h) - (original - h));
                expectClose(numeric, get(dx, e), 1e-3 + 1e-3 * Math.abs(numeric),
                        (max ? "max" : "average") + " pool " + w + " dx[" + e + "] by finite differences");
            }
        }
    }

    private static double loss(MemorySegment x, MemorySegment g, MemorySegment y, MemorySegment argmax, Window2d w,
            int channels, int n, boolean max) {
        if (max) {
            PoolingKernels.maxForward(x, w, channels, 0, n * w.outPixels(), y, argmax);
        } else {
            PoolingKernels.averageForward(x, w, channels, 0, n * w.outPixels(), y);
        }
        double sum = 0;
        for (long e = 0; e < y.byteSize() / Float.BYTES; e++) {
            sum += (double) get(g, e) * get(y, e);
        }
        return sum;
    }

    /** Small integers, so that windows hold equal maxima. */
    private static MemorySegment integers(Arena arena, Random random, long floats) {
        MemorySegment s = zeros(arena, floats);
        for (long e = 0; e < floats; e++) {
            s.setAtIndex(JAVA_FLOAT, e, random.nextInt(3) - 1);
        }
        return s;
    }

    static int start(int total, int part, int parts) {
        return (int) ((long) total * part / parts);
    }

    static void expectClose(double expected, float actual, double tolerance, String what) {
        if (!(Math.abs(actual - expected) <= tolerance)) {
            fail(what + ": expected " + expected + " ± " + tolerance + ", got " + actual);
        }
    }
}
