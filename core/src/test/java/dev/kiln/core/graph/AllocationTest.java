package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.fail;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A training step allocates nothing on the heap: measured with the JVM's per-thread allocation counter. */
class AllocationTest {
    private static final int MEASUREMENT_WINDOWS = 8;

    @Test
    void trainingStepAllocatesNothingOnTheCallingThread() {
        var threadBean = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Graph g = GraphFixtures.twoLayer(64, 32, 10, Activation.RELU, Activation.SOFTMAX, true);
        int rows = 32;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(g, LossFunction.SPARSE_CATEGORICAL_CROSS_ENTROPY,
                        List.of(MetricReduction.ARGMAX_MATCHES_LABEL), new UpdateRule.Adam(1e-3f, 0.9f, 0.999f, 1e-7f, 0f),
                        pool)) {
            GraphFixtures.randomize(cg, 3);
            cg.ensureCapacity(rows);
            float[][] x = GraphFixtures.randomRows(rows, 64, 1);
            int[] y = GraphFixtures.randomLabels(rows, 10, 1);
            cg.loadInputs(x, null, 0, rows);
            cg.loadLabels(y, null, 0, rows);
            assertStepAllocatesNothing(cg, rows, 20_000, threadBean);
            // Then with clipping, in the same JVM so that only the clip kernels still need compiling: a
            // threshold small enough that every step both measures the global norm and rescales (the
            // clip-by-value pass is one more loop of the same shape as the rescale).
            cg.setGradientClip(new GradientClip(GradientClip.Mode.GLOBAL_NORM, 1e-3f));
            assertStepAllocatesNothing(cg, rows, 10_000, threadBean);
        }
    }

    private static void assertStepAllocatesNothing(CompiledGraph cg, int rows, int warmUp,
            com.sun.management.ThreadMXBean threadBean) {
        for (int i = 0; i < warmUp; i++) { // let C2 compile the step so escape analysis has run
            cg.trainStep(rows);
        }
        long tid = Thread.currentThread().threadId();
        // On a loaded machine C2 may still be compiling (or recompiling after a deoptimisation) when
        // the warm-up ends, and interpreted vector code allocates. So measure several windows and
        // require the steady state, one window under the bound; a kernel that allocates on every step
        // fails every window.
        int steps = 2_000;
        StringBuilder windows = new StringBuilder();
        for (int window = 0; window < MEASUREMENT_WINDOWS; window++) {
            long before = threadBean.getThreadAllocatedBytes(tid);
            for (int i = 0; i < steps; i++) {
                cg.trainStep(rows);
            }
            double perStep = (double) (threadBean.getThreadAllocatedBytes(tid) - before) / steps;
            if (perStep < 64) {
                return;
            }
            windows.append(windows.isEmpty() ? "" : ", ").append(perStep);
        }
        fail("a training step with " + cg.gradientClip() + " allocated, on average per step in each window of "
                + steps + " steps: " + windows + " bytes");
    }
}
