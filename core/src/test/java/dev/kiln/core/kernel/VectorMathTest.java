package dev.kiln.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** The kernels' own exp, expm1 and tanh: accurate, and the same bits before and after the JIT compiles them. */
class VectorMathTest {
    private static final int LANES = VectorMath.S.length();

    @Test
    void expIsAccurateAcrossTheFloatRange() {
        Random random = new Random(1);
        float[] x = new float[LANES * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 180 - 90);
        }
        float[] y = apply(x, 0);
        for (int i = 0; i < x.length; i++) {
            double expected = Math.exp(x[i]);
            if (x[i] < -87.3f) {
                assertEquals(0f, y[i], "exp(" + x[i] + ") flushes to 0");
            } else if (x[i] > 88.7f) {
                assertEquals(Float.POSITIVE_INFINITY, y[i], "exp(" + x[i] + ")");
            } else {
                double relative = Math.abs(y[i] - expected) / expected;
                assertTrue(relative < 3e-7, "exp(" + x[i] + ") = " + y[i] + ", expected " + expected);
            }
        }
        float[] special = new float[LANES];
        special[0] = Float.NaN;
        special[1] = Float.NEGATIVE_INFINITY;
        special[2] = Float.POSITIVE_INFINITY;
        float[] out = apply(special, 0);
        assertTrue(Float.isNaN(out[0]));
        assertEquals(0f, out[1]);
        assertEquals(Float.POSITIVE_INFINITY, out[2]);
        assertEquals(1f, out[3], "exp(0)");
    }

    @Test
    void expm1AndTanhAreAccurateNearZeroAndSaturateFarOut() {
        float[] x = new float[LANES * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i - x.length / 2) * 0.37f / LANES * (i % 3 == 0 ? 0.001f : 1f);
        }
        float[] expm1 = apply(x, 1);
        float[] tanh = apply(x, 2);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Math.expm1(x[i]), expm1[i], 2e-7 + 3e-7 * Math.abs(Math.expm1(x[i])), "expm1(" + x[i] + ")");
            assertEquals(Math.tanh(x[i]), tanh[i], 2e-7, "tanh(" + x[i] + ")");
        }
        assertEquals(1f, apply(new float[] {50f}, 2)[0]);
        assertEquals(-1f, apply(new float[] {-50f}, 2)[0]);
    }

    @Test
    void theBitsDoNotChangeOnceTheJitHasCompiledTheCode() {
        Random random = new Random(2);
        float[] x = new float[LANES * 512];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 8);
        }
        float[] cold = apply(x, 0);
        float[] coldTanh = apply(x, 2);
        for (int round = 0; round < 3_000; round++) {
            apply(x, round % 3);
        }
        float[] warm = apply(x, 0);
        float[] warmTanh = apply(x, 2);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(cold[i]), Float.floatToRawIntBits(warm[i]), "exp(" + x[i] + ")");
            assertEquals(Float.floatToRawIntBits(coldTanh[i]), Float.floatToRawIntBits(warmTanh[i]), "tanh(" + x[i] + ")");
        }
    }

    private static float[] apply(float[] x, int function) {
        int n = (x.length + LANES - 1) / LANES * LANES;
        float[] in = java.util.Arrays.copyOf(x, n);
        float[] out = new float[n];
        for (int i = 0; i < n; i += LANES) {
            FloatVector v = FloatVector.fromArray(VectorMath.S, in, i);
            FloatVector r = switch (function) {
                case 0 -> VectorMath.exp(v);
                case 1 -> VectorMath.expm1(v);
                default -> VectorMath.tanh(v);
            };
            r.intoArray(out, i);
        }
        return java.util.Arrays.copyOf(out, x.length);
    }
}
