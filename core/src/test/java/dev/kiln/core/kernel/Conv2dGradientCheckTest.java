package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.TestBuffers.get;
import static dev.kiln.core.kernel.TestBuffers.uniform;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Forward and backward together against central differences: for the loss Σ g·tanh(conv(x, W) + b) with a
 * fixed random g, the kernel, bias and input gradients the backward kernels compute (from dZ = g·tanh')
 * must match (L(θ + h) − L(θ − h)) / 2h with L evaluated by the forward kernel, for both paddings and
 * strides 1, 2 and 3.
 */
class Conv2dGradientCheckTest {
    private static final float H = 5e-3f;
    private static final int SAMPLES = 10;

    @Test
    void gradientsMatchFiniteDifferencesForEveryPaddingAndStride() {
        for (Padding padding : Padding.values()) {
            for (int stride = 1; stride <= 3; stride++) {
                check(new ConvReference(2, 7, 6, 2, 3, 3, 3, stride, stride, padding), 17L * stride + padding.ordinal());
            }
        }
    }

    private static void check(ConvReference ref, long seed) {
        Conv2dShape s = ref.shape();
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(seed);
            long inFloats = (long) ref.n * ref.h * ref.w * ref.cin;
            long outFloats = (long) ref.pixels() * ref.f;
            MemorySegment x = uniform(arena, random, inFloats, -1f, 1f);
            MemorySegment w = uniform(arena, random, (long) ref.patch() * ref.f, -0.5f, 0.5f);
            MemorySegment b = uniform(arena, random, ref.f, -0.5f, 0.5f);
            MemorySegment g = uniform(arena, random, outFloats, -1f, 1f);
            Loss loss = new Loss(arena, s, ref.n, g);

            MemorySegment z = zeros(arena, outFloats);
            MemorySegment y = zeros(arena, outFloats);
            loss.forward(x, w, b, z, y);
            MemorySegment dz = zeros(arena, outFloats);
            ActivationKernels.backward(Activation.TANH, z, y, g, dz, 0, outFloats);
            float[] scratch = new float[Conv2dKernels.scratchFloats(s)];
            MemorySegment dw = zeros(arena, (long) ref.patch() * ref.f);
            MemorySegment db = zeros(arena, ref.f);
            MemorySegment buffer = zeros(arena, Conv2dKernels.bufferFloats(s));
            Conv2dKernels.weightGradient(x, dz, s, ref.n, 0, ref.patch(), dw, db, scratch, buffer);
            float[] packedWt = new float[Conv2dKernels.packedTransposedWeightFloats(s)];
            for (int p = 0; p < Conv2dKernels.transposedWeightPanels(s); p++) {
                Conv2dKernels.packTransposedWeights(w, s, p, packedWt);
            }
            MemorySegment dx = zeros(arena, inFloats);
            Conv2dKernels.inputGradient(dz, s, 0, ref.n, packedWt, dx, scratch, buffer);

            for (int i = 0; i < SAMPLES; i++) {
                long e = random.nextInt((int) inFloats);
                compare(loss.derivative(x, e, x, w, b), get(dx, e), "dX[" + e + "] of " + ref);
                long q = random.nextInt(ref.patch() * ref.f);
                compare(loss.derivative(w, q, x, w, b), get(dw, q), "dW[" + q + "] of " + ref);
            }
            for (int j = 0; j < ref.f; j++) {
                compare(loss.derivative(b, j, x, w, b), get(db, j), "db[" + j + "] of " + ref);
            }
        }
    }

    private static void compare(double numeric, float analytic, String what) {
        if (!(Math.abs(numeric - analytic) <= 2e-3 + 1e-2 * Math.abs(numeric))) {
            fail(what + ": finite difference " + numeric + ", backward kernels " + analytic);
        }
    }

    /** L = Σ g·tanh(conv(x, W) + b), in double over the forward kernel's float outputs. */
    private static final class Loss {
        private final Conv2dShape s;
        private final int images;
        private final MemorySegment g;
        private final MemorySegment z;
        private final MemorySegment y;
        private final float[] packed;
        private final float[] scratch;

        Loss(Arena arena, Conv2dShape s, int images, MemorySegment g) {
            this.s = s;
            this.images = images;
            this.g = g;
            this.z = zeros(arena, g.byteSize() / Float.BYTES);
            this.y = zeros(arena, g.byteSize() / Float.BYTES);
            this.packed = new float[Conv2dKernels.packedWeightFloats(s)];
            this.scratch = new float[Conv2dKernels.scratchFloats(s)];
        }

        void forward(MemorySegment x, MemorySegment w, MemorySegment b, MemorySegment zOut, MemorySegment yOut) {
            for (int p = 0; p < Conv2dKernels.weightPanels(s); p++) {
                Conv2dKernels.packWeights(w, s, p, packed);
            }
            Conv2dKernels.forward(x, s, 0, images * s.outPixels(), packed, b, zOut, yOut, Activation.TANH, scratch);
        }

        double value(MemorySegment x, MemorySegment w, MemorySegment b) {
            forward(x, w, b, z, y);
            double sum = 0;
            for (long e = 0; e < y.byteSize() / Float.BYTES; e++) {
                sum += (double) get(g, e) * get(y, e);
            }
            return sum;
        }

        /** The central difference of L in element e of {@code theta} (one of x, w, b), which is restored after. */
        double derivative(MemorySegment theta, long e, MemorySegment x, MemorySegment w, MemorySegment b) {
            float original = theta.getAtIndex(JAVA_FLOAT, e);
            float up = original + H;
            float down = original - H;
            theta.setAtIndex(JAVA_FLOAT, e, up);
            double lossUp = value(x, w, b);
            theta.setAtIndex(JAVA_FLOAT, e, down);
            double lossDown = value(x, w, b);
            theta.setAtIndex(JAVA_FLOAT, e, original);
            return (lossUp - lossDown) / ((double) up - down);
        }
    }
}
