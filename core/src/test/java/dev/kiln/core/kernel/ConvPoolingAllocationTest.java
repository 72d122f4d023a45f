package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.TestBuffers.uniform;
import static dev.kiln.core.kernel.TestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.testing.FreshJvmRetry;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Once compiled, the convolution and pooling kernels allocate nothing on the heap: measured with the JVM's
 * count of the bytes the calling thread allocated, over windows of calls after a warm-up (a window may catch
 * C2 recompiling, so one clean window of several passes; a kernel that allocates fails them all). Runs in a
 * JVM of its own (surefire's allocation-test execution), like the other allocation tests.
 */
class ConvPoolingAllocationTest {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int WINDOWS = 8;
    /**
     * A pass calls 16 kernels; one small object made by one of them on every call is 16 bytes or more, while a
     * JIT event inside a window of 300 passes adds a few bytes a pass at most.
     */
    private static final double BYTES_PER_PASS = 8;

    @Test
    void convolutionAndPoolingKernelsAllocateNothingOnceWarm() {
        FreshJvmRetry.run(getClass(), "measure", this::measure);
    }

    void measure() {
        try (Arena arena = Arena.ofConfined()) {
            Random random = new Random(5);
            int batch = 3;
            // K = 72 > F = 16 (transposed kernel gradient) and K = 9 < F = 16 (direct), stride 2 and same padding.
            Conv2dShape deep = Conv2dShape.of(9, 9, 8, 3, 3, 16, 1, 1, Padding.VALID);
            Conv2dShape first = Conv2dShape.of(8, 8, 1, 3, 3, 16, 2, 2, Padding.SAME);
            Runnable deepConv = conv(arena, random, deep, batch);
            Runnable firstConv = conv(arena, random, first, batch);
            Window2d pool = Window2d.of(7, 7, 3, 3, 2, 2, Padding.SAME);
            int channels = 19;
            MemorySegment x = uniform(arena, random, (long) batch * pool.inPixels() * channels, -1f, 1f);
            MemorySegment y = zeros(arena, (long) batch * pool.outPixels() * channels);
            MemorySegment argmax = zeros(arena, (long) batch * pool.outPixels() * channels);
            MemorySegment dx = zeros(arena, (long) batch * pool.inPixels() * channels);
            int pixels = batch * pool.outPixels();
            Runnable pooling = () -> {
                PoolingKernels.maxForward(x, pool, channels, 0, pixels, y, argmax);
                PoolingKernels.maxBackward(y, argmax, pool, channels, 0, batch, dx);
                PoolingKernels.averageForward(x, pool, channels, 0, pixels, y);
                PoolingKernels.averageBackward(y, pool, channels, 0, batch, dx);
                GlobalPoolingKernels.maxForward(x, 7, 7, channels, 0, batch, y, argmax);
                GlobalPoolingKernels.maxBackward(y, argmax, 7, 7, channels, 0, batch, dx);
                GlobalPoolingKernels.averageForward(x, 7, 7, channels, 0, batch, y);
                GlobalPoolingKernels.averageBackward(y, 7, 7, channels, 0, batch, dx);
            };
            Runnable all = () -> {
                deepConv.run();
                firstConv.run();
                pooling.run();
            };
            assertAllocatesNothing(all, 4000, 300);
        }
    }

    /** One training step's worth of convolution calls: pack, forward, both gradients. */
    private static Runnable conv(Arena arena, Random random, Conv2dShape s, int batch) {
        MemorySegment x = uniform(arena, random, (long) batch * s.inputFloats(), -1f, 1f);
        MemorySegment w = uniform(arena, random, (long) s.patch() * s.filters(), -1f, 1f);
        MemorySegment b = uniform(arena, random, s.filters(), -1f, 1f);
        MemorySegment z = zeros(arena, (long) batch * s.outputFloats());
        MemorySegment y = zeros(arena, (long) batch * s.outputFloats());
        MemorySegment dw = zeros(arena, (long) s.patch() * s.filters());
        MemorySegment db = zeros(arena, s.filters());
        MemorySegment dx = zeros(arena, (long) batch * s.inputFloats());
        MemorySegment buffer = zeros(arena, Conv2dKernels.bufferFloats(s));
        float[] packed = new float[Conv2dKernels.packedWeightFloats(s)];
        float[] packedT = new float[Conv2dKernels.packedTransposedWeightFloats(s)];
        float[] scratch = new float[Conv2dKernels.scratchFloats(s)];
        int pixels = batch * s.outPixels();
        return () -> {
            for (int p = 0; p < Conv2dKernels.weightPanels(s); p++) {
                Conv2dKernels.packWeights(w, s, p, packed);
            }
            Conv2dKernels.forward(x, s, 0, pixels, packed, b, z, y, Activation.TANH, scratch);
            Conv2dKernels.weightGradient(x, y, s, batch, 0, s.patch(), dw, db, scratch, buffer);
            for (int p = 0; p < Conv2dKernels.transposedWeightPanels(s); p++) {
                Conv2dKernels.packTransposedWeights(w, s, p, packedT);
            }
            Conv2dKernels.inputGradient(y, s, 0, batch, packedT, dx, scratch, buffer);
        };
    }

    private static void assertAllocatesNothing(Runnable work, int warmUp, int calls) {
        for (int i = 0; i < warmUp; i++) {
            work.run();
        }
        long thread = Thread.currentThread().threadId();
        StringBuilder seen = new StringBuilder();
        for (int window = 0; window < WINDOWS; window++) {
            long before = THREADS.getThreadAllocatedBytes(thread);
            for (int i = 0; i < calls; i++) {
                work.run();
            }
            double perCall = (double) (THREADS.getThreadAllocatedBytes(thread) - before) / calls;
            if (perCall < BYTES_PER_PASS) {
                return;
            }
            seen.append(seen.isEmpty() ? "" : ", ").append(perCall);
        }
        fail("the convolution and pooling kernels allocated, per pass, in each window of " + calls + " passes: "
                + seen + " bytes");
    }
}
