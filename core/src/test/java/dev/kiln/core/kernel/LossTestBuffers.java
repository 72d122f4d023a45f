package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * Buffers for the loss, metric and optimizer kernel tests: exact-size off-heap segments (so any
 * overrun throws) copied from and to float arrays.
 */
final class LossTestBuffers {
    private LossTestBuffers() {
    }

    static MemorySegment segment(Arena arena, float[] values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, JAVA_FLOAT, 0, values.length);
        return s;
    }

    static MemorySegment zeros(Arena arena, int floats) {
        return arena.allocate((long) floats * Float.BYTES, 64);
    }

    static float[] floats(MemorySegment s) {
        return s.toArray(JAVA_FLOAT);
    }

    static float[] uniform(Random random, int n, float lo, float hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = lo + (hi - lo) * random.nextFloat();
        }
        return v;
    }

    /** Class indices as floats, the sparse-label encoding. */
    static float[] labels(Random random, int rows, int cols) {
        float[] v = new float[rows];
        for (int i = 0; i < rows; i++) {
            v[i] = random.nextInt(cols);
        }
        return v;
    }

    static float[] oneHot(float[] labels, int cols) {
        float[] v = new float[labels.length * cols];
        for (int i = 0; i < labels.length; i++) {
            v[i * cols + (int) labels[i]] = 1f;
        }
        return v;
    }

    /** |actual − expected| ≤ rel·|expected| + abs, element by element. */
    static void assertClose(double[] expected, float[] actual, double rel, double abs, String what) {
        if (expected.length != actual.length) {
            throw new AssertionError(what + ": length " + actual.length + ", expected " + expected.length);
        }
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual[i], rel, abs, what + "[" + i + "]");
        }
    }

    static void assertClose(double expected, double actual, double rel, double abs, String what) {
        if (!(Math.abs(actual - expected) <= rel * Math.abs(expected) + abs)) {
            throw new AssertionError(what + ": got " + actual + ", expected " + expected);
        }
    }
}
