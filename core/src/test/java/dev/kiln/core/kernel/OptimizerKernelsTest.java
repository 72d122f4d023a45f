package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.LossTestBuffers.floats;
import static dev.kiln.core.kernel.LossTestBuffers.segment;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Each update rule: by-hand values (the rule written out in double on concrete numbers) after one and
 * three steps, a float scalar loop on 1001 elements (vector body and tail both), and range splits.
 */
class OptimizerKernelsTest {
    private static final int N = 1001;

    @Test
    void sgd() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = segment(arena, new float[] {0.5f, -1.25f, 2f});
            MemorySegment g = segment(arena, new float[] {0.1f, -0.4f, 0f});
            OptimizerKernels.sgd(w, g, 0.1f, 0, 3, true);
            assertClose(new double[] {0.49, -1.21, 2.0}, floats(w));
            OptimizerKernels.sgd(w, g, 0.1f, 0, 3, true);
            OptimizerKernels.sgd(w, g, 0.1f, 0, 3, true);
            assertClose(new double[] {0.47, -1.13, 2.0}, floats(w));
        }
    }

    @Test
    void sgdMomentumByHand() {
        // μ = 0.9, lr = 0.1, g = 0.5, w = 1: m = −0.05, −0.095, −0.1355.
        // Plain: w = 0.95, 0.855, 0.7195. Nesterov adds μ·m − lr·g: −0.095, −0.1355, −0.17195.
        for (boolean nesterov : new boolean[] {false, true}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment w = segment(arena, new float[] {1f, -2f});
                MemorySegment g = segment(arena, new float[] {0.5f, -0.5f});
                MemorySegment m = segment(arena, new float[2]);
                OptimizerKernels.sgdMomentum(w, g, m, 0.1f, 0.9f, nesterov, 0, 2, true);
                double first = nesterov ? 0.905 : 0.95;
                assertClose(new double[] {first, -2 + (1 - first)}, floats(w));
                OptimizerKernels.sgdMomentum(w, g, m, 0.1f, 0.9f, nesterov, 0, 2, true);
                OptimizerKernels.sgdMomentum(w, g, m, 0.1f, 0.9f, nesterov, 0, 2, true);
                double third = nesterov ? 0.59755 : 0.7195;
                assertClose(new double[] {third, -2 + (1 - third)}, floats(w));
                assertClose(new double[] {-0.1355, 0.1355}, floats(m));
            }
        }
    }

    @Test
    void adamByHand() {
        double lr = 1e-3;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-7;
        // 1 − β is formed in float32, as Keras does; 1 − 0.999f is 1.3e-5 off 0.001 relatively.
        double keep1 = 1f - 0.9f;
        double keep2 = 1f - 0.999f;
        double[] w = {1.0, -0.5, 3.0};
        double[] g = {0.5, -2.0, 1e-3};
        double[] m = new double[3];
        double[] v = new double[3];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ws = segment(arena, toFloats(w));
            MemorySegment gs = segment(arena, toFloats(g));
            MemorySegment ms = segment(arena, new float[3]);
            MemorySegment vs = segment(arena, new float[3]);
            for (int t = 1; t <= 3; t++) {
                double alpha = lr * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
                for (int k = 0; k < 3; k++) {
                    m[k] += (g[k] - m[k]) * keep1;
                    v[k] += (g[k] * g[k] - v[k]) * keep2;
                    w[k] -= alpha * m[k] / (Math.sqrt(v[k]) + eps);
                }
                OptimizerKernels.adam(ws, gs, ms, vs, (float) alpha, 0.9f, 0.999f, 1e-7f, 0f, 0, 3, true);
                assertClose(w, floats(ws));
                if (t == 1) {
                    // Keras' expectation: the first step moves each weight by about lr·sign(g), whatever
                    // |g|, as long as |g| ≫ ε/√(1 − β2) ≈ 3e-6 (0.3% short of lr for the g = 1e-3 weight).
                    assertClose(new double[] {1.0 - lr, -0.5 + lr, 3.0 - lr}, floats(ws), 5e-3 * lr);
                }
            }
            assertClose(m, floats(ms));
            assertClose(v, floats(vs));
        }
    }

    @Test
    void adamWDecaysBeforeTheUpdate() {
        // w = 2, decay = lr·wd = 0.1: w ← 2 − 0.2 = 1.8, then the Adam step. Decaying after the step
        // instead would give (2 − step)·0.9, off by 0.1·step = 1e-4: well above float rounding at 1.8.
        double alpha = 1e-3 * Math.sqrt(1 - 0.999) / (1 - 0.9);
        double m = (1f - 0.9f) * 0.5;
        double v = (1f - 0.999f) * 0.25;
        double step = alpha * m / (Math.sqrt(v) + 1e-7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = segment(arena, new float[] {2f});
            OptimizerKernels.adam(w, segment(arena, new float[] {0.5f}), segment(arena, new float[1]),
                    segment(arena, new float[1]), (float) alpha, 0.9f, 0.999f, 1e-7f, 0.1f, 0, 1, true);
            assertEquals(1.8 - step, floats(w)[0], 2e-7);
        }
    }

    @Test
    void rmspropByHand() {
        double[] w = {1.0, -1.0};
        double[] g = {0.5, -0.05};
        double[] v = new double[2];
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ws = segment(arena, toFloats(w));
            MemorySegment gs = segment(arena, toFloats(g));
            MemorySegment vs = segment(arena, new float[2]);
            for (int t = 1; t <= 3; t++) {
                for (int k = 0; k < 2; k++) {
                    v[k] = 0.9 * v[k] + 0.1 * g[k] * g[k];
                    w[k] -= 0.01 * g[k] / Math.sqrt(v[k] + 1e-7);
                }
                OptimizerKernels.rmsprop(ws, gs, vs, 0.01f, 0.9f, 1e-7f, 0, 2, true);
                if (t == 1) {
                    // v = 0.025: the step is 0.005/√0.0250001 ≈ 0.0316227 on the first weight.
                    assertEquals(1 - 0.0316227, floats(ws)[0], 1e-6);
                }
                assertClose(w, floats(ws));
            }
            assertClose(v, floats(vs));
        }
    }

    @Test
    void adagradByHand() {
        double[] w = {1.0, -1.0};
        double[] g = {0.5, -0.05};
        double[] acc = {0.1, 0.1};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ws = segment(arena, toFloats(w));
            MemorySegment gs = segment(arena, toFloats(g));
            MemorySegment as = segment(arena, new float[] {0.1f, 0.1f});
            for (int t = 1; t <= 3; t++) {
                for (int k = 0; k < 2; k++) {
                    acc[k] += g[k] * g[k];
                    w[k] -= 0.01 * g[k] / Math.sqrt(acc[k] + 1e-7);
                }
                OptimizerKernels.adagrad(ws, gs, as, 0.01f, 1e-7f, 0, 2, true);
                if (t == 1) {
                    // acc = 0.35: the step is 0.005/√0.3500001 ≈ 0.0084515 on the first weight.
                    assertEquals(1 - 0.0084515, floats(ws)[0], 1e-6);
                }
                assertClose(w, floats(ws));
            }
            assertClose(acc, floats(as));
        }
    }

    /** The vector body and the scalar tail agree with a plain float loop of each rule, element for element. */
    @Test
    void everyRuleMatchesAFloatScalarLoopAndAnySplit() {
        Random random = new Random(5);
        float[] w0 = LossTestBuffers.uniform(random, N, -1f, 1f);
        float[] g = LossTestBuffers.uniform(random, N, -1f, 1f);
        float[] s0 = LossTestBuffers.uniform(random, N, 0f, 0.1f);
        float[] s1 = LossTestBuffers.uniform(random, N, 0f, 0.1f);
        for (Rule rule : Rule.values()) {
            float[] w = w0.clone();
            float[] a = s0.clone();
            float[] b = s1.clone();
            for (int step = 0; step < 3; step++) {
                for (int k = 0; k < N; k++) {
                    rule.scalar(w, g, a, b, k);
                }
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment ws = segment(arena, w0);
                MemorySegment gs = segment(arena, g);
                MemorySegment as = segment(arena, s0);
                MemorySegment bs = segment(arena, s1);
                long[] bounds = {0, 1, 18, 500, 517, N};
                for (int step = 0; step < 3; step++) {
                    if (step == 1) {
                        rule.kernel(ws, gs, as, bs, 0, N, true);
                    } else {
                        for (int p = 0; p + 1 < bounds.length; p++) {
                            rule.kernel(ws, gs, as, bs, bounds[p], bounds[p + 1], true);
                        }
                    }
                }
                assertArrayEquals(w, floats(ws), 0f, rule + " weights");
                assertArrayEquals(a, floats(as), 0f, rule + " first slot");
                assertArrayEquals(b, floats(bs), 0f, rule + " second slot");
            }
        }
    }

    /**
     * Without {@code write} a rule stores nothing and answers whether its update would be finite: false
     * for a gradient whose update overflows, in the vector body or the tail, true otherwise, and the
     * same answer the writing pass gives.
     */
    @Test
    void theCheckingPassWritesNothingAndFindsEveryOverflow() {
        Random random = new Random(6);
        float[] w0 = LossTestBuffers.uniform(random, N, -1f, 1f);
        float[] g0 = LossTestBuffers.uniform(random, N, -1f, 1f);
        float[] s0 = LossTestBuffers.uniform(random, N, 0f, 0.1f);
        float[] s1 = LossTestBuffers.uniform(random, N, 0f, 0.1f);
        for (Rule rule : Rule.values()) {
            for (int at : new int[] {-1, 0, 17, N - 1}) {
                float[] g = g0.clone();
                if (at >= 0) {
                    g[at] = rule.squaresGradients() ? 3e38f : Float.POSITIVE_INFINITY; // only a square overflows from 3e38
                }
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment ws = segment(arena, w0);
                    MemorySegment gs = segment(arena, g);
                    MemorySegment as = segment(arena, s0);
                    MemorySegment bs = segment(arena, s1);
                    boolean finite = rule.kernel(ws, gs, as, bs, 0, N, false);
                    assertEquals(at < 0, finite, rule + " with the bad gradient at " + at);
                    assertArrayEquals(w0, floats(ws), 0f, rule + " weights after the check");
                    assertArrayEquals(s0, floats(as), 0f, rule + " first slot after the check");
                    assertArrayEquals(s1, floats(bs), 0f, rule + " second slot after the check");
                    assertEquals(finite, rule.kernel(ws, gs, as, bs, 0, N, true), rule + " writing pass");
                }
            }
        }
    }

    /**
     * The writing pass answers "tame" (every new weight below 2^65, every sum of squares below 2^121),
     * not merely "finite": a finite 2^66 weight is not tame, though the checking pass finds it finite.
     */
    @Test
    void theWritingPassSaysWhetherWhatItWroteIsTame() {
        for (Rule rule : Rule.values()) {
            for (int at : new int[] {0, 17, N - 1}) {
                float[] w = new float[N];
                w[at] = 0x1p66f;
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment ws = segment(arena, w);
                    MemorySegment gs = segment(arena, new float[N]);
                    MemorySegment as = segment(arena, new float[N]);
                    MemorySegment bs = segment(arena, new float[N]);
                    assertEquals(true, rule.kernel(ws, gs, as, bs, 0, N, false), rule + " check, 2^66 at " + at);
                    assertEquals(false, rule.kernel(ws, gs, as, bs, 0, N, true), rule + " write, 2^66 at " + at);
                    ws.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, at, 0x1p60f);
                    assertEquals(true, rule.kernel(ws, gs, as, bs, 0, N, true), rule + " write, 2^60 at " + at);
                }
            }
        }
    }

    /** Each rule as the kernel call and as a float scalar loop body written from the Keras formula. */
    private enum Rule {
        SGD {
            boolean kernel(MemorySegment w, MemorySegment g, MemorySegment a, MemorySegment b, long from, long to,
                    boolean write) {
                return OptimizerKernels.sgd(w, g, 0.05f, from, to, write);
            }

            void scalar(float[] w, float[] g, float[] a, float[] b, int k) {
                w[k] -= 0.05f * g[k];
            }
        },
        MOMENTUM {
            boolean kernel(MemorySegment w, MemorySegment g, MemorySegment a, MemorySegment b, long from, long to,
                    boolean write) {
                return OptimizerKernels.sgdMomentum(w, g, a, 0.05f, 0.9f, false, from, to, write);
            }

            void scalar(float[] w, float[] g, float[] a, float[] b, int k) {
                a[k] = 0.9f * a[k] - 0.05f * g[k];
                w[k] += a[k];
            }
        },
        NESTEROV {
            boolean kernel(MemorySegment w, MemorySegment g, MemorySegment a, MemorySegment b, long from, long to,
                    boolean write) {
                return OptimizerKernels.sgdMomentum(w, g, a, 0.05f, 0.9f, true, from, to, write);
            }

            void scalar(float[] w, float[] g, float[] a, float[] b, int k) {
                a[k] = 0.9f * a[k] - 0.05f * g[k];
                w[k] += 0.9f * a[k] - 0.05f * g[k];
            }
        },
        ADAMW {
            boolean kernel(MemorySegment w, MemorySegment g, MemorySegment a, MemorySegment b, long from, long to,
                    boolean write) {
                return OptimizerKernels.adam(w, g, a, b, 2e-3f, 0.9f, 0.999f, 1e-7f, 4e-4f, from, to, write);
            }

            void scalar(float[] w, float[] g, float[] a, float[] b, int k) {
                w[k] -= w[k] * 4e-4f;
                a[k] += (g[k] - a[k]) * (1f - 0.9f);
                b[k] += (g[k] * g[k] - b[k]) * (1f - 0.999f);
                w[k] -= a[k] * 2e-3f / ((float) Math.sqrt(b[k]) + 1e-7f);
            }
        },
        RMSPROP {
            boolean kernel(MemorySegment w, MemorySegment g, MemorySegment a, MemorySegment b, long from, long to,
                    boolean write) {
                return OptimizerKernels.rmsprop(w, g, a, 0.01f, 0.9f, 1e-7f, from, to, write);
            }

            void scalar(float[] w, float[] g, float[] a, float[] b, int k) {
                a[k] = 0.9f * a[k] + (1f - 0.9f) * (g[k] * g[k]);
                w[k] -= 0.01f * g[k] / (float) Math.sqrt(a[k] + 1e-7f);
            }
        },
        ADAGRAD {
            boolean kernel(MemorySegment w, MemorySegment g, MemorySegment a, MemorySegment b, long from, long to,
                    boolean write) {
                return OptimizerKernels.adagrad(w, g, a, 0.01f, 1e-7f, from, to, write);
            }

            void scalar(float[] w, float[] g, float[] a, float[] b, int k) {
                a[k] += g[k] * g[k];
                w[k] -= 0.01f * g[k] / (float) Math.sqrt(a[k] + 1e-7f);
            }
        };

        /** Adam, RMSprop and Adagrad square the gradient, so 3e38 overflows them; SGD needs an infinity. */
        boolean squaresGradients() {
            return ordinal() >= ADAMW.ordinal();
        }

        abstract boolean kernel(MemorySegment w, MemorySegment g, MemorySegment a, MemorySegment b, long from, long to,
                boolean write);

        abstract void scalar(float[] w, float[] g, float[] a, float[] b, int k);
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static void assertClose(double[] expected, float[] actual) {
        LossTestBuffers.assertClose(expected, actual, 2e-6, 1e-7, "update");
    }

    private static void assertClose(double[] expected, float[] actual, double abs) {
        LossTestBuffers.assertClose(expected, actual, 0, abs, "update");
    }
}
