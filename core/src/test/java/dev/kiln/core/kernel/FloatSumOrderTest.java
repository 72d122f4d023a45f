package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.core.memory.Memory;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/**
 * Softmax's row sums give the same bits before and after the JIT compiles them. C2's
 * reduceLanes(ADD) adds lanes as a tree while the interpreter adds them in order, so a softmax over
 * few columns changed its last bit once compiled (found by ConcurrentUseTest, where later predictions
 * differed from the first); the lane-order sum of VectorMath.sumLanes does not.
 */
class FloatSumOrderTest {
    @Test
    void sumLanesAddsInLaneOrder() {
        Random r = new Random(3);
        float[] lanes = new float[VectorMath.S.length()];
        for (int trial = 0; trial < 50_000; trial++) { // long enough for C2 to compile sumLanes
            float expected = 0f;
            for (int i = 0; i < lanes.length; i++) {
                lanes[i] = (float) r.nextGaussian() * (1 << r.nextInt(20));
                expected += lanes[i];
            }
            float got = VectorMath.sumLanes(FloatVector.fromArray(VectorMath.S, lanes, 0));
            if (got != expected) {
                assertEquals(expected, got, 0f, "trial " + trial);
            }
        }
    }

    @Test
    void softmaxGivesTheSameBitsInterpretedAndCompiled() {
        int rows = 64;
        Random r = new Random(5);
        try (Arena arena = Arena.ofConfined()) {
            for (int cols : new int[] {5, 10, 37}) {
                MemorySegment z = Memory.allocateFloats(arena, (long) rows * cols + 16);
                MemorySegment y = Memory.allocateFloats(arena, (long) rows * cols + 16);
                for (int i = 0; i < rows * cols; i++) {
                    z.setAtIndex(JAVA_FLOAT, i, (float) r.nextGaussian() * 3);
                }
                ActivationKernels.softmaxForward(z, y, cols, 0, rows);
                float[] first = y.asSlice(0, (long) rows * cols * Float.BYTES).toArray(JAVA_FLOAT);
                for (int call = 0; call < 20_000; call++) {
                    ActivationKernels.softmaxForward(z, y, cols, 0, rows);
                }
                assertArrayEquals(first, y.asSlice(0, (long) rows * cols * Float.BYTES).toArray(JAVA_FLOAT),
                        "softmax over " + cols + " columns after the JIT compiled it");
            }
        }
    }
}
