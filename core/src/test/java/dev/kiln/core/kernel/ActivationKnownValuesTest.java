package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.TestBuffers.get;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * Every activation and its derivative at known points, against constants worked out from the
 * definitions outside this code base (Keras' defaults: leaky ReLU's negative slope 0.2, ELU's alpha 1,
 * the exact erf-based GELU). {@link ActivationKernelsTest} compares the kernels with the scalar
 * references in {@link Activation}; this test pins both, so a wrong constant in the references and the
 * kernels alike cannot pass. Kiln has no SELU.
 */
class ActivationKnownValuesTest {
    /** One known point: f(z) and f'(z). */
    private record Point(Activation activation, float z, double value, double slope) {
    }

    private static final Point[] POINTS = {
        new Point(Activation.LINEAR, -1.5f, -1.5, 1),
        new Point(Activation.RELU, -1.5f, 0, 0),
        new Point(Activation.RELU, 2.5f, 2.5, 1),
        new Point(Activation.LEAKY_RELU, -1f, -0.2, 0.2),
        new Point(Activation.LEAKY_RELU, -2.5f, -0.5, 0.2),
        new Point(Activation.LEAKY_RELU, 3f, 3, 1),
        // e^z − 1 and e^z for z ≤ 0.
        new Point(Activation.ELU, -1f, -0.6321205588285577, 0.36787944117144233),
        new Point(Activation.ELU, -3f, -0.950212931632136, 0.049787068367863944),
        new Point(Activation.ELU, 2f, 2, 1),
        // σ(z) = 1 / (1 + e^−z), σ' = σ(1 − σ).
        new Point(Activation.SIGMOID, 0f, 0.5, 0.25),
        new Point(Activation.SIGMOID, 1f, 0.7310585786300049, 0.19661193324148185),
        new Point(Activation.SIGMOID, -2f, 0.11920292202211755, 0.1049935854035065),
        new Point(Activation.TANH, 0.5f, 0.46211715726000974, 0.7864477329659274),
        new Point(Activation.TANH, -2f, -0.9640275800758169, 0.07065082485316443),
        // z·σ(z), and σ(z)(1 + z(1 − σ(z))).
        new Point(Activation.SILU, 1f, 0.7310585786300049, 0.9276705118714869),
        new Point(Activation.SILU, -1f, -0.2689414213699951, 0.07232948812851325),
        // z·Φ(z) with Φ(1) = 0.8413447460685429, and Φ(z) + z·φ(z) with φ(1) = 0.24197072451914337.
        new Point(Activation.GELU, 1f, 0.8413447460685429, 1.0833154705876864),
        new Point(Activation.GELU, -1f, -0.15865525393145707, -0.08331547058768629),
        new Point(Activation.GELU, 2f, 1.9544997361036416, 1.085231801078197),
    };

    @Test
    void scalarReferencesHitTheKnownValues() {
        for (Point p : POINTS) {
            float y = p.activation().apply(p.z());
            assertNear(p.value(), y, p.activation() + "(" + p.z() + ")");
            assertNear(p.slope(), p.activation().derivative(p.z(), y), p.activation() + "'(" + p.z() + ")");
        }
    }

    /** The point repeated across several vectors and a tail, so both the vector body and the tail compute it. */
    @Test
    void kernelsHitTheKnownValues() {
        int n = 3 * VectorMath.S.length() + 5;
        for (Point p : POINTS) {
            try (Arena arena = Arena.ofConfined()) {
                float[] zs = new float[n];
                Arrays.fill(zs, p.z());
                MemorySegment z = TestBuffers.of(arena, zs);
                MemorySegment y = zeros(arena, n);
                ActivationKernels.forward(p.activation(), z, y, 0, n);
                float[] ones = new float[n];
                Arrays.fill(ones, 1f);
                MemorySegment dy = TestBuffers.of(arena, ones);
                MemorySegment dz = zeros(arena, n);
                boolean needsZ = p.activation().derivativeNeedsInput();
                ActivationKernels.backward(p.activation(), needsZ ? z : null, needsZ ? null : y, dy, dz, 0, n);
                for (int e = 0; e < n; e++) {
                    assertNear(p.value(), get(y, e), p.activation() + " kernel(" + p.z() + ") element " + e);
                    assertNear(p.slope(), get(dz, e), p.activation() + " kernel'(" + p.z() + ") element " + e);
                }
            }
        }
    }

    private static void assertNear(double expected, float actual, String what) {
        if (!(Math.abs(actual - expected) <= 1e-6 + 2e-6 * Math.abs(expected))) {
            fail(what + ": expected " + expected + " got " + actual);
        }
    }
}
