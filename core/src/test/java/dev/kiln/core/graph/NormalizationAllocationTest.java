package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Training and evaluation steps through LayerNorm and BatchNorm allocate nothing (run in the allocation JVM). */
class NormalizationAllocationTest {
    @ParameterizedTest(name = "batch norm {0}, width {1}")
    @CsvSource({"false, 7", "true, 7", "false, 37", "true, 37"})
    void aTrainingStepAllocatesNothing(boolean batchNorm, int width) {
        var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        int rows = 32;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = NormalizationGraphTest.compiled(NormalizationGraphTest.graph(batchNorm, true, 0.99f, width), new UpdateRule.Adam(1e-3f, 0.9f, 0.999f, 1e-7f, 0f),
                        pool, rows)) {
            for (int i = 0; i < 20_000; i++) { // both programs, so C2 has compiled everything measured
                cg.trainStep(rows);
                cg.evaluateStep(rows);
            }
            long tid = Thread.currentThread().threadId();
            int steps = 2_000;
            long before = threadBean.getThreadAllocatedBytes(tid);
            for (int i = 0; i < steps; i++) {
                cg.trainStep(rows);
                cg.evaluateStep(rows);
            }
            double perStep = (double) (threadBean.getThreadAllocatedBytes(tid) - before) / steps;
            assertTrue(perStep < 64, "a training step allocated " + perStep + " bytes on average");
        }
    }
}
