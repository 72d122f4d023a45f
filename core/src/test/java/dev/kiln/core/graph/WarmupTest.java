package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The background warm-up changes nothing a user can see: it runs on a pool of its own (the shared pool
 * dispatches nothing for it), and it stops as soon as a graph of the user's takes a step.
 */
class WarmupTest {
    @Test
    void itRunsItsStepsOnItsOwnPool() {
        long before = KernelPool.global().dispatches();
        Warmup.userStarted = false;
        long start = System.nanoTime();
        Warmup.run();
        assertEquals(before, KernelPool.global().dispatches(), "the shared pool was not used");
        assertTrue(System.nanoTime() - start < 120_000_000_000L, "it ends by itself");
    }

    @Test
    void aUserStepStopsIt() throws Exception {
        Warmup.userStarted = false;
        Thread warmup = new Thread(Warmup::run);
        warmup.start();
        Graph g = new Graph(3);
        g.add("dense", new MatMul(new Parameter("dense/kernel", 3, 2)), g.input());
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph cg = Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(),
                        new GradientDescentRule(0.1f, 0f, false), pool)) {
            cg.ensureCapacity(1);
            cg.loadInputs(new float[][] {{1, 2, 3}}, null, 0, 1);
            cg.loadTargets(new float[][] {{0, 1}}, null, 0, 1);
            cg.trainStep(1);
        }
        assertTrue(Warmup.userStarted);
        warmup.join(60_000);
        assertTrue(!warmup.isAlive(), "the warm-up stopped after the user's step");
    }
}
