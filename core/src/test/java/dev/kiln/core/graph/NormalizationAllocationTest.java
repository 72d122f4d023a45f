package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.testing.FreshJvmRetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Training and evaluation steps through LayerNorm and BatchNorm allocate nothing (run in the allocation JVM). */
class NormalizationAllocationTest {
    @ParameterizedTest(name = "batch norm {0}, width {1}")
    @CsvSource({"false, 7", "true, 7", "false, 37", "true, 37"})
    void aTrainingStepAllocatesNothing(boolean batchNorm, int width) {
        FreshJvmRetry.run(getClass(), "measure", () -> measure(batchNorm, width), batchNorm, width);
    }

    void measure(boolean batchNorm, int width) {
        int rows = 32;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = NormalizationGraphTest.compiled(NormalizationGraphTest.graph(batchNorm, true, 0.99f, width),
                        new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), pool, rows)) {
            Runnable trainAndEvaluate = () -> {
                cg.trainStep(rows);
                cg.evaluateStep(rows);
            };
            // Both programs in the warm-up, so C2 has compiled everything measured.
            SteadyStateAllocation.assertAllocatesNothing(trainAndEvaluate, 20_000, 2_000,
                    "a training and an evaluation step through " + (batchNorm ? "batch" : "layer") + " norm");
        }
    }

    @Test
    void aTrainingStepThroughAFrozenBatchNormAllocatesNothing() {
        FreshJvmRetry.run(getClass(), "measureFrozen", this::measureFrozen);
    }

    void measureFrozen() {
        int rows = 32;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = NormalizationGraphTest.compiled(NormalizationGraphTest.frozenBatchNormGraph(),
                        new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), pool, rows)) {
            Runnable trainAndEvaluate = () -> {
                cg.trainStep(rows);
                cg.evaluateStep(rows);
            };
            SteadyStateAllocation.assertAllocatesNothing(trainAndEvaluate, 20_000, 2_000,
                    "a training and an evaluation step through a frozen batch norm");
        }
    }
}
