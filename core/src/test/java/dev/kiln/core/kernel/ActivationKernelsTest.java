package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.TestBuffers.assertBitIdentical;
import static dev.kiln.core.kernel.TestBuffers.copy;
import static dev.kiln.core.kernel.TestBuffers.get;
import static dev.kiln.core.kernel.TestBuffers.uniform;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The vector activation kernels against the scalar references in {@link Activation}. */
class ActivationKernelsTest {
    private static final float[] EXTREMES = {1e4f, -1e4f, 0f, -0f, 1e-30f, -1e-30f, Float.MIN_VALUE, -Float.MIN_VALUE,
        88f, -88f, 100f, -100f, 20f, -20f};
    /** Ranges [from, to) over the test values: tails only, a single vector plus tail, unaligned starts, everything. */
    private static final int[][] RANGES = {{0, 1}, {0, 3}, {0, 17}, {5, 22}, {3, 1000}, {0, 1000 + EXTREMES.length}};

    @Test
    void forwardMatchesScalarReference() {
        for (Activation a : elementwise()) {
            for (int[] range : RANGES) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment z = testValues(arena);
                    MemorySegment y = uniform(arena, new Random(1), z.byteSize() / Float.BYTES, -5f, 5f);
                    MemorySegment untouched = copy(arena, y);
                    ActivationKernels.forward(a, z, y, range[0], range[1]);
                    for (long e = 0; e < z.byteSize() / Float.BYTES; e++) {
                        if (e < range[0] || e >= range[1]) {
                            if (get(y, e) != get(untouched, e)) {
                                fail(a + " wrote element " + e + " outside [" + range[0] + ", " + range[1] + ")");
                            }
                            continue;
                        }
                        assertNear(a.value(get(z, e)), get(y, e), a + "(" + get(z, e) + ")");
                    }
                }
            }
        }
    }

    @Test
    void forwardInPlaceMatchesOutOfPlace() {
        for (Activation a : elementwise()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment z = testValues(arena);
                long n = z.byteSize() / Float.BYTES;
                MemorySegment y = zeros(arena, n);
                ActivationKernels.forward(a, z, y, 0, n);
                ActivationKernels.forward(a, z, z, 0, 7);
                ActivationKernels.forward(a, z, z, 7, n);
                assertBitIdentical(y, z, a + " in place, split at 7");
            }
        }
    }

    @Test
    void backwardMatchesScalarReference() {
        for (Activation a : elementwise()) {
            for (int[] range : RANGES) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment z = testValues(arena);
                    long n = z.byteSize() / Float.BYTES;
                    MemorySegment y = zeros(arena, n);
                    for (long e = 0; e < n; e++) {
                        y.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, e, a.apply(get(z, e)));
                    }
                    MemorySegment dy = uniform(arena, new Random(2), n, -1f, 1f);
                    MemorySegment dz = zeros(arena, n);
                    // Pass only what the contract promises: z only where the derivative needs it.
                    MemorySegment zOrNull = a.derivativeNeedsInput() ? z : null;
                    MemorySegment yOrNull = a.derivativeNeedsInput() ? null : y;
                    ActivationKernels.backward(a, zOrNull, yOrNull, dy, dz, range[0], range[1]);
                    for (long e = range[0]; e < range[1]; e++) {
                        double expected = get(dy, e) * a.slope(get(z, e), get(y, e));
                        assertNear(expected, get(dz, e), a + "'(" + get(z, e) + ")");
                    }
                    // dz may alias dy.
                    ActivationKernels.backward(a, zOrNull, yOrNull, dy, dy, range[0], range[1]);
                    for (long e = range[0]; e < range[1]; e++) {
                        if (Float.floatToRawIntBits(get(dy, e)) != Float.floatToRawIntBits(get(dz, e))) {
                            fail(a + " backward in place differs at " + e);
                        }
                    }
                }
            }
        }
    }

    @Test
    void backwardRejectsAMissingInputAndSoftmax() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = zeros(arena, 4);
            assertThrows(IllegalArgumentException.class,
                    () -> ActivationKernels.backward(Activation.GELU, null, s, s, s, 0, 4));
            assertThrows(IllegalArgumentException.class,
                    () -> ActivationKernels.backward(Activation.TANH, s, null, s, s, 0, 4));
            assertThrows(IllegalArgumentException.class,
                    () -> ActivationKernels.backward(Activation.SOFTMAX, s, s, s, s, 0, 4));
            assertThrows(IllegalArgumentException.class, () -> ActivationKernels.forward(Activation.SOFTMAX, s, s, 0, 4));
            assertThrows(IllegalArgumentException.class, () -> Activation.SOFTMAX.apply(1f));
        }
    }

    @Test
    void softmaxForwardMatchesReferenceAndSurvivesLargeInputs() {
        int rows = 5;
        for (int cols : new int[] {1, 3, 10, 16, 17, 33, 128}) {
            for (float scale : new float[] {10f, 1e4f}) {
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment z = uniform(arena, new Random(cols), (long) rows * cols, -scale, scale);
                    MemorySegment y = zeros(arena, (long) rows * cols);
                    ActivationKernels.softmaxForward(z, y, cols, 0, rows);
                    for (int i = 0; i < rows; i++) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (int j = 0; j < cols; j++) {
                            max = Math.max(max, get(z, (long) i * cols + j));
                        }
                        double sum = 0;
                        for (int j = 0; j < cols; j++) {
                            sum += Math.exp(get(z, (long) i * cols + j) - max);
                        }
                        for (int j = 0; j < cols; j++) {
                            double expected = Math.exp(get(z, (long) i * cols + j) - max) / sum;
                            assertNear(expected, get(y, (long) i * cols + j), "softmax cols=" + cols + " [" + i + "," + j + "]");
                        }
                    }
                    ActivationKernels.softmaxForward(z, z, cols, 0, rows);
                    assertBitIdentical(y, z, "softmax in place cols=" + cols);
                }
            }
        }
    }

    @Test
    void softmaxBackwardMatchesReference() {
        int rows = 4;
        for (int cols : new int[] {1, 3, 10, 16, 17, 33, 128}) {
            try (Arena arena = Arena.ofConfined()) {
                Random random = new Random(cols);
                MemorySegment y = zeros(arena, (long) rows * cols);
                ActivationKernels.softmaxForward(uniform(arena, random, (long) rows * cols, -3f, 3f), y, cols, 0, rows);
                MemorySegment dy = uniform(arena, random, (long) rows * cols, -1f, 1f);
                MemorySegment dz = zeros(arena, (long) rows * cols);
                ActivationKernels.softmaxBackward(y, dy, dz, cols, 0, rows);
                for (int i = 0; i < rows; i++) {
                    double dot = 0;
                    for (int j = 0; j < cols; j++) {
                        dot += (double) get(dy, (long) i * cols + j) * get(y, (long) i * cols + j);
                    }
                    for (int j = 0; j < cols; j++) {
                        long e = (long) i * cols + j;
                        assertNear(get(y, e) * (get(dy, e) - dot), get(dz, e), "softmax' cols=" + cols + " [" + i + "," + j + "]");
                    }
                }
                ActivationKernels.softmaxBackward(y, dy, dy, cols, 0, rows);
                assertBitIdentical(dz, dy, "softmax backward in place cols=" + cols);
            }
        }
    }

    @Test
    void softmaxIsBitIdenticalUnderAnyRowSplit() {
        int rows = 23, cols = 37;
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(9);
            MemorySegment z = uniform(arena, random, (long) rows * cols, -8f, 8f);
            MemorySegment dy = uniform(arena, random, (long) rows * cols, -1f, 1f);
            MemorySegment yWhole = zeros(arena, (long) rows * cols), yParts = zeros(arena, (long) rows * cols);
            MemorySegment dzWhole = zeros(arena, (long) rows * cols), dzParts = zeros(arena, (long) rows * cols);
            ActivationKernels.softmaxForward(z, yWhole, cols, 0, rows);
            ActivationKernels.softmaxBackward(yWhole, dy, dzWhole, cols, 0, rows);
            for (int[] split : new int[][] {{0, 1}, {1, 9}, {9, 10}, {10, rows}}) {
                ActivationKernels.softmaxForward(z, yParts, cols, split[0], split[1]);
                ActivationKernels.softmaxBackward(yWhole, dy, dzParts, cols, split[0], split[1]);
            }
            assertBitIdentical(yWhole, yParts, "softmax forward split");
            assertBitIdentical(dzWhole, dzParts, "softmax backward split");
        }
    }

    @Test
    void vectorErfcIsAccurate() {
        try (Arena arena = Arena.ofConfined()) {
            int n = VectorMath.S.length();
            MemorySegment out = zeros(arena, n);
            for (double start = 0; start < 9; start += 0.01 * n) {
                float[] xs = new float[n];
                for (int l = 0; l < n; l++) {
                    xs[l] = (float) (start + 0.01 * l);
                }
                jdk.incubator.vector.FloatVector x = jdk.incubator.vector.FloatVector.fromArray(VectorMath.S, xs, 0);
                VectorMath.erfcNonNegative(x).intoMemorySegment(out, 0, java.nio.ByteOrder.nativeOrder());
                for (int l = 0; l < n; l++) {
                    double exact = ErrorFunction.erfc(xs[l]);
                    double got = get(out, l);
                    // Absolute 1e-6 on erf itself, and relative accuracy in the tail that GELU(z < 0) relies on;
                    // rounding the exponent −x² to float alone costs a relative ~6e-8·x², hence the x² term.
                    double relative = 1.2e-7 * (8 + (double) xs[l] * xs[l]);
                    if (!(Math.abs(got - exact) <= 1e-6 && Math.abs(got - exact) <= relative * exact)) {
                        fail("erfc(" + xs[l] + "): expected " + exact + " got " + got);
                    }
                }
            }
        }
    }

    private static Activation[] elementwise() {
        return java.util.Arrays.stream(Activation.values()).filter(Activation::isElementwise).toArray(Activation[]::new);
    }

    /** 1000 values uniform in [-10, 10] followed by the extremes. */
    private static MemorySegment testValues(Arena arena) {
        Random random = new Random(42);
        float[] values = new float[1000 + EXTREMES.length];
        for (int i = 0; i < 1000; i++) {
            values[i] = -10f + 20f * random.nextFloat();
        }
        System.arraycopy(EXTREMES, 0, values, 1000, EXTREMES.length);
        return TestBuffers.of(arena, values);
    }

    private static void assertNear(double expected, float actual, String what) {
        if (!(Math.abs(actual - expected) <= 1e-6 + 4e-6 * Math.abs(expected))) {
            fail(what + ": expected " + expected + " got " + actual);
        }
    }
}
