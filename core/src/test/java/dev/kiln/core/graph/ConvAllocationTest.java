package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.Padding;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import dev.kiln.testing.FreshJvmRetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training step and a predict step of a convnet (every image op) allocate nothing on the heap once warm:
 * the per-part scratch of the convolutions is made on the first steps, never per step.
 */
class ConvAllocationTest {
    @Test
    void convnetStepsAllocateNothingOnTheCallingThread() {
        FreshJvmRetry.run(getClass(), "measure", this::measure);
    }

    void measure() {
        Graph g = new Graph(Shape.of(10, 10, 1));
        Node n = g.add("conv", new Conv2D(new Parameter("conv/kernel", 3, 3, 1, 4), new Parameter("conv/bias", 4), 1, 1,
                Padding.VALID, Activation.RELU), g.input());
        n = g.add("max", new MaxPool2D(new PoolWindow(2, 2, 2, 2, Padding.VALID)), n);
        n = g.add("conv_1", new Conv2D(new Parameter("conv_1/kernel", 3, 3, 4, 6), null, 1, 1, Padding.SAME,
                Activation.GELU), n);
        n = g.add("average", new AveragePool2D(new PoolWindow(2, 2, 1, 1, Padding.SAME)), n);
        n = g.add("global", new GlobalMaxPool2D(), n);
        n = g.add("dense", new MatMul(new Parameter("dense/kernel", 6, 3)), n);
        g.add("softmax", new Activate(Activation.SOFTMAX), n);
        int rows = 16;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false),
                        List.of(MetricReduction.ARGMAX_MATCHES_LABEL), new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f),
                        pool)) {
            GraphFixtures.randomize(cg, 3);
            cg.ensureCapacity(rows);
            cg.loadInputs(GraphFixtures.randomRows(rows, 100, 1), null, 0, rows);
            cg.loadLabels(GraphFixtures.randomLabels(rows, 3, 1), null, 0, rows);
            SteadyStateAllocation.assertAllocatesNothing(() -> cg.trainStep(rows), 10_000, 1_000, "a convnet training step");
            SteadyStateAllocation.assertAllocatesNothing(() -> cg.predictStep(rows), 5_000, 1_000, "a convnet predict step");
        }
    }
}
