package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.GradientClip;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.testing.FreshJvmRetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training step allocates nothing on the heap, unweighted or with a weight per row: measured with the
 * JVM's per-thread allocation counter.
 */
class AllocationTest {
    @Test
    void trainingStepAllocatesNothingOnTheCallingThread() {
        FreshJvmRetry.run(getClass(), "measure", this::measure);
    }

    void measure() {
        Graph g = GraphFixtures.twoLayer(64, 32, 10, Activation.RELU, Activation.SOFTMAX, true);
        int rows = 32;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false),
                        List.of(MetricReduction.ARGMAX_MATCHES_LABEL), new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f),
                        pool)) {
            GraphFixtures.randomize(cg, 3);
            cg.ensureCapacity(rows);
            float[][] x = GraphFixtures.randomRows(rows, 64, 1);
            int[] y = GraphFixtures.randomLabels(rows, 10, 1);
            cg.loadInputs(x, null, 0, rows);
            cg.loadLabels(y, null, 0, rows);
            Runnable step = () -> cg.trainStep(rows);
            // The warm-up lets C2 compile the step so that escape analysis has run.
            SteadyStateAllocation.assertAllocatesNothing(step, 20_000, 2_000, "a training step");
            // Then with clipping, in the same JVM so that only the clip kernels still need compiling: a
            // threshold small enough that every step both measures the global norm and rescales (the
            // clip-by-value pass is one more loop of the same shape as the rescale).
            cg.setGradientClip(new GradientClip(GradientClip.Mode.GLOBAL_NORM, 1e-3f));
            SteadyStateAllocation.assertAllocatesNothing(step, 10_000, 2_000, "a training step with " + cg.gradientClip());
            // And with a weight per row, loaded before each step as fit does: the loss is then computed a row
            // at a time through the fused softmax and cross-entropy.
            float[] weights = new float[rows];
            for (int r = 0; r < rows; r++) {
                weights[r] = r % 3 * 0.5f;
            }
            Runnable weightedStep = () -> {
                cg.loadSampleWeights(weights, null, 0, rows);
                cg.trainStep(rows);
            };
            SteadyStateAllocation.assertAllocatesNothing(weightedStep, 10_000, 2_000, "a weighted training step");
        }
    }
}
