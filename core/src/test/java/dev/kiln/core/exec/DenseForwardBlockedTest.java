package dev.kiln.core.exec;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.PackedGemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.management.ManagementFactory;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The dense forward step on shapes large enough for the blocked path: bit-identical to the panel path
 * ({@link PackedGemm#multiply} over every panel) on 1, 2 and 3 threads (on one thread a narrow shape
 * takes the panel path, which must agree just the same), and no heap allocation per call once warm.
 */
class DenseForwardBlockedTest {
    /**
     * rows, k, n: a remainder tile, a partial k-block, a partial panel; n below one vector; enough panels
     * for the blocked path on one thread too; a W of exactly the 1 MiB the path starts from.
     */
    private static final int[][] SHAPES = {
        {DenseForwardStep.BLOCKED_MIN_ROWS + 7, DenseForwardStep.BLOCKED_MIN_INNER + 45, 630},
        {DenseForwardStep.BLOCKED_MIN_ROWS + 1, 26_215, 10},
        {DenseForwardStep.BLOCKED_MIN_ROWS + 5, DenseForwardStep.BLOCKED_MIN_INNER + 17, 660},
        {1024, 1024, 256}};

    @Test
    void blockedStepIsBitIdenticalToThePanelPathOnAnyThreadCount() {
        for (int[] s : SHAPES) {
            for (Activation act : new Activation[] {Activation.RELU, Activation.TANH, Activation.GELU, Activation.LINEAR}) {
                for (boolean withBias : new boolean[] {true, false}) {
                    check(s[0], s[1], s[2], act, withBias);
                }
            }
        }
    }

    private static void check(int rows, int k, int n, Activation act, boolean withBias) {
        assertTrue(DenseForwardStep.usesBlockedPath(rows, k, n, 2), "the shape must take the blocked path");
        try (Arena arena = Arena.ofShared()) {
            Random random = new Random(rows * 31L + k * 7L + n + act.ordinal());
            MemorySegment x = random(arena, random, rows * k);
            MemorySegment w = random(arena, random, k * n);
            MemorySegment bias = withBias ? random(arena, random, n) : null;
            boolean keepPre = act.derivativeNeedsInput();
            MemorySegment expectedPre = keepPre ? random(arena, random, rows * n) : null;
            MemorySegment expected = random(arena, random, rows * n);
            float[] packed = new float[PackedGemm.packedFloats(k, n)];
            for (int p = 0; p < PackedGemm.panels(n); p++) {
                PackedGemm.packRows(w, k, n, p, packed);
                PackedGemm.multiply(x, k, 1, rows, k, n, packed, p, bias, expectedPre, expected, act);
            }
            for (int threads = 1; threads <= 3; threads++) {
                try (KernelPool pool = new KernelPool(threads)) {
                    MemorySegment pre = keepPre ? random(arena, random, rows * n) : null;
                    MemorySegment y = random(arena, random, rows * n);
                    new DenseForwardStep(x, w, bias, pre, y, k, n, act, pool).run(rows);
                    String what = act + " bias=" + withBias + " rows=" + rows + " k=" + k + " n=" + n + " threads="
                            + threads;
                    assertArrayEquals(expected.toArray(JAVA_FLOAT), y.toArray(JAVA_FLOAT), "y of " + what);
                    if (keepPre) {
                        assertArrayEquals(expectedPre.toArray(JAVA_FLOAT), pre.toArray(JAVA_FLOAT), "pre of " + what);
                    }
                }
            }
        }
    }

    @Test
    void aPoolThatGrowsAfterConstructionGetsScratchForEveryPartAndTheSameBits() {
        int rows = DenseForwardStep.BLOCKED_MIN_ROWS + 11;
        int k = DenseForwardStep.BLOCKED_MIN_INNER + 3;
        int n = 690;
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(1)) {
            Random random = new Random(21);
            MemorySegment y = random(arena, random, rows * n);
            DenseForwardStep step = new DenseForwardStep(random(arena, random, rows * k), random(arena, random, k * n),
                    random(arena, random, n), null, y, k, n, Activation.TANH, pool);
            step.run(rows);
            float[] oneThread = y.toArray(JAVA_FLOAT);
            pool.setThreads(3);
            y.fill((byte) 0);
            step.run(rows);
            assertArrayEquals(oneThread, y.toArray(JAVA_FLOAT), "after the pool grew from 1 to 3 threads");
        }
    }

    @Test
    void blockedStepAllocatesNothingOnTheCallingThreadOnceWarm() {
        var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int rows = 300;
        int k = DenseForwardStep.BLOCKED_MIN_INNER + 16;
        int n = 660;
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(2)) {
            Random random = new Random(9);
            assertTrue(DenseForwardStep.usesBlockedPath(rows, k, n, pool.threads()), "must take the blocked path");
            DenseForwardStep step = new DenseForwardStep(random(arena, random, rows * k), random(arena, random, k * n),
                    random(arena, random, n), null, random(arena, random, rows * n), k, n, Activation.RELU, pool);
            for (int i = 0; i < 3_000; i++) { // let C2 compile the kernels so escape analysis has run
                step.run(rows);
            }
            long tid = Thread.currentThread().threadId();
            // As AllocationTest: several windows, one must be clean (C2 may still be recompiling early on).
            int calls = 500;
            StringBuilder windows = new StringBuilder();
            for (int window = 0; window < 8; window++) {
                long before = threadBean.getThreadAllocatedBytes(tid);
                for (int i = 0; i < calls; i++) {
                    step.run(rows);
                }
                double perCall = (double) (threadBean.getThreadAllocatedBytes(tid) - before) / calls;
                if (perCall < 64) {
                    return;
                }
                windows.append(windows.isEmpty() ? "" : ", ").append(perCall);
            }
            fail("a blocked dense forward step allocated, on average per call in each window of " + calls + " calls: "
                    + windows + " bytes");
        }
    }

    private static MemorySegment random(Arena arena, Random random, int floats) {
        MemorySegment s = arena.allocate((long) floats * Float.BYTES, 64);
        for (int i = 0; i < floats; i++) {
            s.setAtIndex(JAVA_FLOAT, i, random.nextFloat() * 2 - 1);
        }
        return s;
    }
}
