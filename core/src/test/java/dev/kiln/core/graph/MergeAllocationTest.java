package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.testing.FreshJvmRetry;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training step of a graph that is not a chain allocates nothing either: two inputs, a concatenation
 * read by two branches (its gradient summed), a multiply gate. Relu and linear layers only: this test is
 * about the merges, and the fused dense epilogues of tanh and sigmoid are seen to allocate in a JVM whose
 * profile other activations shaped first (in chains too), which the dense allocation tests are about.
 */
class MergeAllocationTest {
    @Test
    void trainingStepAllocatesNothingOnTheCallingThread() {
        FreshJvmRetry.run(getClass(), "measure", this::measure);
    }

    void measure() {
        int rows = 32;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(MergeGraphTest.twoInputs(Activation.RELU, Activation.LINEAR, Activation.RELU), new MeanSquaredErrorLoss(), List.of(),
                        new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), pool)) {
            GraphFixtures.randomize(cg, 3);
            cg.ensureCapacity(rows);
            cg.loadInputs(0, GraphFixtures.randomRows(rows, 4, 1), null, 0, rows);
            cg.loadInputs(1, GraphFixtures.randomRows(rows, 3, 2), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomRows(rows, 2, 3), null, 0, rows);
            SteadyStateAllocation.assertAllocatesNothing(() -> cg.trainStep(rows), 20_000, 2_000, "a training step");
        }
    }

    /** A shared encoder: the second use's parameter gradients are summed into the first's in place. */
    @Test
    void sharedLayerTrainingStepAllocatesNothingOnTheCallingThread() {
        FreshJvmRetry.run(getClass(), "measureShared", this::measureShared);
    }

    void measureShared() {
        int rows = 32;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(SharedParameterGraphTest.siamese(Activation.RELU, null),
                        new MeanSquaredErrorLoss(), List.of(), new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), pool)) {
            GraphFixtures.randomize(cg, 4);
            cg.ensureCapacity(rows);
            cg.loadInputs(0, GraphFixtures.randomRows(rows, 4, 5), null, 0, rows);
            cg.loadInputs(1, GraphFixtures.randomRows(rows, 4, 6), null, 0, rows);
            cg.loadTargets(GraphFixtures.randomRows(rows, 2, 7), null, 0, rows);
            SteadyStateAllocation.assertAllocatesNothing(() -> cg.trainStep(rows), 20_000, 2_000, "a training step");
        }
    }

    /** Three outputs, one of them read by a later node: a loss per output, their gradients summed in place. */
    @Test
    void multiOutputTrainingStepAllocatesNothingOnTheCallingThread() {
        FreshJvmRetry.run(getClass(), "measureMultiOutput", this::measureMultiOutput);
    }

    void measureMultiOutput() {
        int rows = 32;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(MultiOutputGraphTest.threeOutputs(Activation.RELU, Activation.LINEAR),
                        MultiOutputGraphTest.threeLosses(List.of()), new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), pool,
                        true)) {
            GraphFixtures.randomize(cg, 8);
            cg.ensureCapacity(rows);
            MultiOutputGraphTest.loadBatch(cg, rows);
            SteadyStateAllocation.assertAllocatesNothing(() -> cg.trainStep(rows), 20_000, 2_000, "a training step");
        }
    }
}
