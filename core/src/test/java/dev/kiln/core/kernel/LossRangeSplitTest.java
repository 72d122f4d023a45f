package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.LossTestBuffers.floats;
import static dev.kiln.core.kernel.LossTestBuffers.segment;
import static dev.kiln.core.kernel.LossTestBuffers.zeros;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Splitting the rows across calls changes nothing: the same bits out, the same sums in row order. */
class LossRangeSplitTest {
    static Stream<Arguments> cases() {
        return LossCase.all().stream().flatMap(c -> Stream.of(1, 10, 33).map(cols -> Arguments.of(c, cols)));
    }

    @ParameterizedTest(name = "{0} cols {1}")
    @MethodSource("cases")
    void anySplitGivesTheSameResult(LossCase c, int cols) {
        int rows = 37;
        Random random = new Random(cols * 7L);
        float[] in = c.inputs().draw(random, rows * cols);
        float[] target = c.sparse() ? LossTestBuffers.labels(random, rows, cols) : c.denseTargets(random, rows, cols);
        float scale = 1f / rows;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment x = segment(arena, in);
            MemorySegment t = segment(arena, target);
            MemorySegment wholeProb = zeros(arena, rows * cols);
            MemorySegment wholeGrad = zeros(arena, rows * cols);
            double whole = c.kernel().run(x, t, wholeProb, wholeGrad, cols, scale, 0, rows);

            MemorySegment partProb = zeros(arena, rows * cols);
            MemorySegment partGrad = zeros(arena, rows * cols);
            int[] bounds = {0, 5, 6, 20, rows};
            for (int p = 0; p + 1 < bounds.length; p++) {
                c.kernel().run(x, t, partProb, partGrad, cols, scale, bounds[p], bounds[p + 1]);
            }
            assertArrayEquals(bits(wholeGrad), bits(partGrad), c + " gradient");
            assertArrayEquals(bits(wholeProb), bits(partProb), c + " activation");

            // One row per call, added in row order, is the same sum as the whole range.
            double byRows = 0;
            for (int i = 0; i < rows; i++) {
                byRows += c.kernel().run(x, t, null, null, cols, scale, i, i + 1);
            }
            assertEquals(Double.doubleToLongBits(whole), Double.doubleToLongBits(byRows), c + " loss sum");
        }
    }

    private static int[] bits(MemorySegment s) {
        float[] f = floats(s);
        int[] b = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            b[i] = Float.floatToRawIntBits(f[i]);
        }
        return b;
    }
}
