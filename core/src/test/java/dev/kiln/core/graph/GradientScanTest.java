package dev.kiln.core.graph;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gradient check finds a NaN or infinity wherever it sits, whichever part of the split scans it. */
class GradientScanTest {
    @Test
    void findsEveryBadElementAndNamesItsParameterOnAnyThreadCount() {
        int[][] shapes = {{784, 128}, {128}, {128, 10}, {10}};
        for (int threads : new int[] {1, 2, 3}) {
            try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(threads)) {
                List<Parameter> parameters = new java.util.ArrayList<>();
                for (int i = 0; i < shapes.length; i++) {
                    Parameter p = new Parameter("p" + i, shapes[i]);
                    p.gradient = arena.allocate((long) p.size() * Float.BYTES, 64);
                    parameters.add(p);
                }
                Step scan = FiniteGuard.gradients(parameters, () -> 2.5, pool);
                assertDoesNotThrow(() -> scan.run(1));
                for (Parameter p : parameters) {
                    for (long at : new long[] {0, p.size() / 2, p.size() - 1}) {
                        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                            p.gradient.setAtIndex(JAVA_FLOAT, at, bad);
                            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> scan.run(1),
                                    threads + " threads, " + bad + " at " + p.name() + "[" + at + "]");
                            assertEquals(p.name(), e.parameter());
                            assertEquals(2.5, e.lossSum());
                            p.gradient.setAtIndex(JAVA_FLOAT, at, 0.25f);
                            assertDoesNotThrow(() -> scan.run(1), "after the repair");
                        }
                    }
                }
            }
        }
    }
}
