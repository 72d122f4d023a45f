package dev.kiln.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The penalty and its gradient against a scalar reference on odd sizes, zeros included (sign 0). */
class PenaltyKernelsTest {
    @ParameterizedTest(name = "size {0}")
    @ValueSource(ints = {1, 3, 7, 8, 15, 16, 17, 63, 100})
    void penaltyAndGradientMatchTheScalarReference(int size) {
        Random r = new Random(size);
        float l1 = 0.03f;
        float l2 = 0.2f;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment w = TestBuffers.uniform(arena, r, size + 5, -2f, 2f);
            w.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, 2 % size + 1, 0f);
            MemorySegment g = TestBuffers.uniform(arena, r, size + 5, -1f, 1f);
            MemorySegment expectedG = TestBuffers.copy(arena, g);
            double expected = 0;
            int from = 1;
            int to = size + 1;
            for (int e = from; e < to; e++) {
                float x = TestBuffers.get(w, e);
                expected += l1 * Math.abs((double) x) + l2 * (double) x * x;
                float sign = x > 0 ? l1 : x < 0 ? -l1 : 0f;
                expectedG.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, e, TestBuffers.get(g, e) + sign + 2 * l2 * x);
            }
            assertEquals(expected, PenaltyKernels.penalty(w, l1, l2, from, to), 1e-9 * (1 + expected));
            assertEquals(expected, PenaltyKernels.addGradient(w, g, l1, l2, from, to), 1e-9 * (1 + expected));
            for (int e = 0; e < size + 5; e++) {
                assertEquals(TestBuffers.get(expectedG, e), TestBuffers.get(g, e), 1e-6f, "element " + e);
            }
        }
    }
}
