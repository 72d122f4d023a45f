package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.LossTestBuffers.segment;
import static dev.kiln.core.kernel.LossTestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import jdk.incubator.vector.DoubleVector;
import org.junit.jupiter.api.Test;

/**
 * The loss kernels' per-row sums give the same bits interpreted and compiled: a seeded run must not
 * depend on when the JIT reaches a kernel (see FloatSumOrderTest for the softmax layer).
 */
class LossSumOrderTest {
    @Test
    void sumInLaneOrderAddsLaneZeroFirst() {
        Random r = new Random(8);
        double[] lanes = new double[WidenedFloats.LANES];
        for (int trial = 0; trial < 50_000; trial++) {
            double expected = 0;
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] = r.nextGaussian() * (1L << r.nextInt(40));
                expected += lanes[i];
            }
            double got = WidenedFloats.sumInLaneOrder(DoubleVector.fromArray(WidenedFloats.D, lanes, 0));
            if (got != expected) {
                assertEquals(expected, got, 0.0, "trial " + trial);
            }
        }
    }

    @Test
    void softmaxCrossEntropyGivesTheSameBitsBeforeAndAfterCompilation() {
        int rows = 32;
        int cols = 10;
        Random r = new Random(2);
        float[] z = new float[rows * cols];
        float[] t = new float[rows * cols];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextGaussian() * 4;
        }
        for (int i = 0; i < rows; i++) {
            t[i * cols + r.nextInt(cols)] = 1;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment logits = segment(arena, z);
            MemorySegment target = segment(arena, t);
            MemorySegment prob = zeros(arena, z.length);
            MemorySegment grad = zeros(arena, z.length);
            double first = LossKernels.softmaxCrossEntropy(logits, target, 0f, prob, grad, cols, 1f / rows, 0, rows);
            float[] firstGrad = LossTestBuffers.floats(grad);
            for (int call = 0; call < 20_000; call++) {
                double again = LossKernels.softmaxCrossEntropy(logits, target, 0f, prob, grad, cols, 1f / rows, 0, rows);
                if (again != first) {
                    assertEquals(first, again, 0.0, "loss of call " + call);
                }
            }
            assertArrayEquals(firstGrad, LossTestBuffers.floats(grad));
        }
    }
}
