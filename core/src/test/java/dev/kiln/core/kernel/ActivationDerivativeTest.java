package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.TestBuffers.get;
import static dev.kiln.core.kernel.TestBuffers.uniform;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The derivative formulas themselves, proven by finite differences; and the erf they rest on. */
class ActivationDerivativeTest {
    private static final double H = 1e-5;

    @Test
    void everyScalarDerivativeMatchesCentralDifferences() {
        Random random = new Random(5);
        for (Activation a : Activation.values()) {
            if (!a.isElementwise()) {
                continue;
            }
            for (int t = 0; t < 2000; t++) {
                double z = -8 + 16 * random.nextDouble();
                if (Math.abs(z) < 1e-3) {
                    continue; // the kinks of ReLU, leaky ReLU and ELU at 0 have no derivative
                }
                double numeric = (a.value(z + H) - a.value(z - H)) / (2 * H);
                double analytic = a.slope(z, a.value(z));
                if (!(Math.abs(numeric - analytic) <= 1e-7 * (1 + Math.abs(analytic)))) {
                    fail(a + "'(" + z + "): finite difference " + numeric + ", formula " + analytic);
                }
            }
        }
    }

    @Test
    void softmaxBackwardIsTheDirectionalDerivative() {
        // For L(z) = Σ g_j·softmax(z)_j, dL/dz·v must equal (L(z + hv) − L(z − hv)) / 2h.
        Random random = new Random(8);
        for (int cols : new int[] {1, 2, 7, 16, 19}) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment z = uniform(arena, random, cols, -3f, 3f);
                MemorySegment g = uniform(arena, random, cols, -1f, 1f);
                double[] v = random.doubles(cols, -1, 1).toArray();
                MemorySegment y = zeros(arena, cols);
                MemorySegment dz = zeros(arena, cols);
                ActivationKernels.softmaxForward(z, y, cols, 0, 1);
                ActivationKernels.softmaxBackward(y, g, dz, cols, 0, 1);
                double analytic = 0;
                for (int j = 0; j < cols; j++) {
                    analytic += get(dz, j) * v[j];
                }
                double h = 1e-6;
                double numeric = (weightedSoftmax(z, g, v, h) - weightedSoftmax(z, g, v, -h)) / (2 * h);
                assertEquals(numeric, analytic, 1e-5, "softmax directional derivative, cols=" + cols);
            }
        }
    }

    @Test
    void errorFunctionMatchesKnownValues() {
        assertEquals(0.5204998778130465, ErrorFunction.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, ErrorFunction.erf(1), 1e-15);
        assertEquals(0.9953222650189527, ErrorFunction.erf(2), 1e-15);
        assertEquals(0.9999589021219005, ErrorFunction.erf(2.9), 1e-13); // the series' worst point
        assertEquals(-0.8427007929497149, ErrorFunction.erf(-1), 1e-15);
        assertEquals(2.2090496998585438e-05, ErrorFunction.erfc(3), 1e-12 * 2.2e-5);
        assertEquals(1.541725790028002e-08, ErrorFunction.erfc(4), 1e-12 * 1.5e-8);
        assertEquals(1.5374597944280351e-12, ErrorFunction.erfc(5), 1e-12 * 1.5e-12);
        assertEquals(2 - 2.2090496998585438e-05, ErrorFunction.erfc(-3), 1e-15);
        assertEquals(0.8413447460685429, Activation.GELU.value(1), 1e-15); // Φ(1)
        assertEquals(-0.15865525393145707, Activation.GELU.value(-1), 1e-15);
    }

    /** Σ g_j·softmax(z + h·v)_j in double. */
    private static double weightedSoftmax(MemorySegment z, MemorySegment g, double[] v, double h) {
        int cols = v.length;
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            max = Math.max(max, get(z, j) + h * v[j]);
        }
        double sum = 0, weighted = 0;
        for (int j = 0; j < cols; j++) {
            double e = Math.exp(get(z, j) + h * v[j] - max);
            sum += e;
            weighted += get(g, j) * e;
        }
        return weighted / sum;
    }
}
