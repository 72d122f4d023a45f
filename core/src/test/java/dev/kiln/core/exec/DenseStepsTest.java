package dev.kiln.core.exec;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.core.kernel.Activation;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The dense forward and backward steps on 1, 2 and 3 threads: every output and gradient against a
 * scalar reference, and bit-identical across thread counts (the panel split never changes a sum).
 */
class DenseStepsTest {
    /**
     * rows, k, n: tiles with remainders, n = 1, k = 1, a 10-class head, more panels than threads, and one
     * large enough for the forward step's cache-blocked path.
     */
    private static final int[][] SHAPES = {{7, 33, 70}, {13, 5, 10}, {1, 1, 1}, {40, 100, 33}, {6, 128, 128},
        {DenseForwardStep.BLOCKED_MIN_ROWS + 7, DenseForwardStep.BLOCKED_MIN_INNER + 44, 630}};
    private static final Activation[] ACTIVATIONS = {Activation.RELU, Activation.TANH, Activation.GELU, Activation.LINEAR};

    @Test
    void forwardAndBackwardMatchTheReferenceAndAgreeToTheBitOnAnyThreadCount() {
        for (int[] s : SHAPES) {
            for (Activation act : ACTIVATIONS) {
                float[][] first = null;
                for (int threads = 1; threads <= 3; threads++) {
                    float[][] results = run(s[0], s[1], s[2], act, threads, 1000L * s[0] + s[2]);
                    if (first == null) {
                        first = results;
                    } else {
                        for (int r = 0; r < results.length; r++) {
                            assertArrayEquals(first[r], results[r], "result " + r + " of " + act + " rows=" + s[0]
                                    + " k=" + s[1] + " n=" + s[2] + " on " + threads + " threads");
                        }
                    }
                }
            }
        }
    }

    /** Runs both steps; returns y, dW, db, dX (and checks each against the reference). */
    private static float[][] run(int rows, int k, int n, Activation act, int threads, long seed) {
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(threads)) {
            Random random = new Random(seed);
            float[] x = random(random, rows * k);
            float[] w = random(random, k * n);
            float[] b = random(random, n);
            float[] dyIn = random(random, rows * n);
            MemorySegment xs = segment(arena, x);
            MemorySegment ws = segment(arena, w);
            MemorySegment bs = segment(arena, b);
            MemorySegment pre = act.derivativeNeedsInput() ? segment(arena, new float[rows * n]) : null;
            MemorySegment y = segment(arena, new float[rows * n]);
            MemorySegment dy = segment(arena, dyIn);
            MemorySegment dw = segment(arena, new float[k * n]);
            MemorySegment db = segment(arena, new float[n]);
            MemorySegment dx = segment(arena, new float[rows * k]);
            new DenseForwardStep(xs, ws, bs, pre, y, k, n, act, pool).run(rows);
            new DenseBackwardStep(xs, ws, pre, y, dy, dw, db, dx, null, k, n, act, pool).run(rows);
            String what = act + " rows=" + rows + " k=" + k + " n=" + n + " threads=" + threads;

            double[] z = new double[rows * n];
            double[] dz = new double[rows * n];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = b[j];
                    double abs = Math.abs(sum);
                    for (int p = 0; p < k; p++) {
                        sum += (double) x[i * k + p] * w[p * n + j];
                        abs += Math.abs((double) x[i * k + p] * w[p * n + j]);
                    }
                    z[i * n + j] = sum;
                    float yij = y.getAtIndex(JAVA_FLOAT, i * n + j);
                    close(act.apply((float) sum), yij, abs, k, "y[" + i + "," + j + "] " + what);
                    float zij = pre != null ? pre.getAtIndex(JAVA_FLOAT, i * n + j) : (float) sum;
                    dz[i * n + j] = dyIn[i * n + j] * (double) act.derivative(zij, yij);
                }
            }
            for (int p = 0; p < k; p++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    double abs = 0;
                    for (int i = 0; i < rows; i++) {
                        sum += x[i * k + p] * dz[i * n + j];
                        abs += Math.abs(x[i * k + p] * dz[i * n + j]);
                    }
                    close(sum, dw.getAtIndex(JAVA_FLOAT, (long) p * n + j), abs, rows, "dW[" + p + "," + j + "] " + what);
                }
            }
            for (int j = 0; j < n; j++) {
                double sum = 0;
                double abs = 0;
                for (int i = 0; i < rows; i++) {
                    sum += dz[i * n + j];
                    abs += Math.abs(dz[i * n + j]);
                }
                close(sum, db.getAtIndex(JAVA_FLOAT, j), abs, rows, "db[" + j + "] " + what);
            }
            for (int i = 0; i < rows; i++) {
                for (int p = 0; p < k; p++) {
                    double sum = 0;
                    double abs = 0;
                    for (int j = 0; j < n; j++) {
                        sum += dz[i * n + j] * w[p * n + j];
                        abs += Math.abs(dz[i * n + j] * w[p * n + j]);
                    }
                    close(sum, dx.getAtIndex(JAVA_FLOAT, (long) i * k + p), abs, n, "dX[" + i + "," + p + "] " + what);
                }
            }
            return new float[][] {y.toArray(JAVA_FLOAT), dw.toArray(JAVA_FLOAT), db.toArray(JAVA_FLOAT),
                    dx.toArray(JAVA_FLOAT)};
        }
    }

    /** Float sums err by about √terms ulps of the magnitudes summed; activations add a few ulps of their own. */
    private static void close(double expected, float actual, double absSum, int terms, String what) {
        double tolerance = 2e-6 * Math.sqrt(Math.max(terms, 1)) * (absSum + 1e-3) + 4e-6 * (1 + Math.abs(expected));
        if (!(Math.abs(actual - expected) <= tolerance)) {
            fail(what + ": expected " + expected + " got " + actual + " (tolerance " + tolerance + ")");
        }
    }

    private static float[] random(Random random, int size) {
        float[] v = new float[size];
        for (int i = 0; i < size; i++) {
            v[i] = random.nextFloat() * 2 - 1;
        }
        return v;
    }

    private static MemorySegment segment(Arena arena, float[] values) {
        MemorySegment s = arena.allocate((long) values.length * Float.BYTES, 64);
        MemorySegment.copy(values, 0, s, JAVA_FLOAT, 0, values.length);
        return s;
    }
}
