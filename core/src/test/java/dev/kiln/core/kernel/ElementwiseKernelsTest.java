package dev.kiln.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The elementwise kernels against a plain loop, on lengths around the vector width and odd ranges. */
class ElementwiseKernelsTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 15, 16, 17, 33, 100})
    void addMultiplyAndCopyMatchAPlainLoop(int n) {
        try (Arena arena = Arena.ofConfined()) {
            Random r = new Random(n);
            MemorySegment a = random(arena, n + 5, r);
            MemorySegment b = random(arena, n + 5, r);
            MemorySegment out = random(arena, n + 5, r);
            MemorySegment before = arena.allocate((long) (n + 5) * Float.BYTES);
            before.copyFrom(out);
            long from = 2;
            long to = from + n;
            ElementwiseKernels.add(a, b, out, from, to);
            check(a, b, out, before, from, to, n + 5, (x, y) -> x + y);
            ElementwiseKernels.multiply(a, b, out, from, to);
            check(a, b, out, before, from, to, n + 5, (x, y) -> x * y);
            ElementwiseKernels.copy(a, out, from, to);
            check(a, b, out, before, from, to, n + 5, (x, y) -> x);
        }
    }

    private interface Op {
        float apply(float x, float y);
    }

    private static void check(MemorySegment a, MemorySegment b, MemorySegment out, MemorySegment before, long from,
            long to, int length, Op op) {
        for (int i = 0; i < length; i++) {
            float expected = i >= from && i < to
                    ? op.apply(a.getAtIndex(ValueLayout.JAVA_FLOAT, i), b.getAtIndex(ValueLayout.JAVA_FLOAT, i))
                    : before.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            assertEquals(expected, out.getAtIndex(ValueLayout.JAVA_FLOAT, i), "element " + i);
        }
    }

    private static MemorySegment random(Arena arena, int n, Random r) {
        MemorySegment s = arena.allocate((long) n * Float.BYTES, 64);
        for (int i = 0; i < n; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian());
        }
        return s;
    }
}
