package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.DropoutSeed;
import dev.kiln.core.runtime.GradientDescentRule;
import dev.kiln.core.runtime.MeanSquaredErrorLoss;
import dev.kiln.core.runtime.NonFiniteStepException;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A training step whose loss or gradients are not finite stops before the update: parameters, Adam's
 * slots and the step count stay exactly as they were, and the next good batch trains normally.
 */
class NonFiniteStepTest {
    @Test
    void aNaNInputStopsTheStepBeforeBackwardAndUpdate() {
        Graph g = GraphFixtures.twoLayer(4, 5, 3, Activation.RELU, Activation.SOFTMAX, true);
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false), List.of(),
                        new AdamRule(1e-2f, 0.9f, 0.999f, 1e-7f, 0f), pool)) {
            GraphFixtures.randomize(cg, 1);
            cg.ensureCapacity(6);
            float[][] x = GraphFixtures.randomRows(6, 4, 2);
            int[] y = GraphFixtures.randomLabels(6, 3, 2);
            cg.loadInputs(x, null, 0, 6);
            cg.loadLabels(y, null, 0, 6);
            cg.trainStep(6);
            cg.trainStep(6);
            List<float[]> before = snapshot(cg);
            long steps = cg.iterations();

            x[4][1] = Float.NaN; // the engine trusts its caller; the api refuses this earlier
            cg.loadInputs(x, null, 0, 6);
            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> cg.trainStep(6));
            assertTrue(Double.isNaN(e.lossSum()), e.getMessage());
            assertNull(e.parameter());
            assertEquals(steps, cg.iterations());
            List<float[]> after = snapshot(cg);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), "buffer " + i);
            }

            x[4][1] = 0.5f;
            cg.loadInputs(x, null, 0, 6);
            cg.trainStep(6);
            assertEquals(steps + 1, cg.iterations());
            assertTrue(Double.isFinite(cg.lossSum()));
        }
    }

    @Test
    void aRefusedStepLeavesBatchNormalizationsMovingStatisticsAlone() {
        int rows = 8;
        try (KernelPool pool = new KernelPool(2);
                CompiledGraph cg = NormalizationGraphTest.compiled(NormalizationGraphTest.graph(true, true, 0.5f),
                        new AdamRule(1e-2f, 0.9f, 0.999f, 1e-7f, 0f), pool, rows)) {
            cg.trainStep(rows);
            List<float[]> before = snapshot(cg);
            float[][] x = GraphFixtures.randomRows(rows, 5, 3);
            x[2][0] = Float.NaN;
            cg.loadInputs(x, null, 0, rows);
            assertThrows(NonFiniteStepException.class, () -> cg.trainStep(rows));
            // A finite input whose batch variance overflows float is refused too, whatever stops it first.
            x[2][0] = 3e30f;
            cg.loadInputs(x, null, 0, rows);
            assertThrows(NonFiniteStepException.class, () -> cg.trainStep(rows));
            List<float[]> after = snapshot(cg);
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), after.get(i), "buffer " + i + " (moving statistics included)");
            }
            assertEquals(1, cg.iterations());
        }
    }

    /**
     * After a checked step the engine proves later updates finite from bounds on its own writes; a
     * weight or optimizer slot written from outside voids those bounds, so the next step checks the
     * update exactly. One weight w, input x = 2^-60, mean squared error: dL/dw = 2x(w·x − t).
     */
    @Test
    void aWeightOrSlotWrittenFromOutsideIsCheckedExactlyAtTheNextStep() {
        float x = 0x1p-60f;
        Graph g = new Graph(1);
        g.add("dense", new MatMul(new Parameter("dense/kernel", 1, 1)), g.input());
        // SGD at 2^54: from w = the largest float, a gradient of -2^50 (below the bound the proof
        // assumes) pushes the weight past it.
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph cg = Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(),
                        new GradientDescentRule(0x1p54f, 0f, false), pool)) {
            cg.writeParameter(0, new float[] {0.5f});
            cg.ensureCapacity(1);
            cg.loadInputs(new float[][] {{x}}, null, 0, 1);
            cg.loadTargets(new float[][] {{0.5f * x}}, null, 0, 1); // a zero gradient
            cg.trainStep(1);
            cg.writeParameter(0, new float[] {Float.MAX_VALUE});
            cg.loadTargets(new float[][] {{0x1p109f}}, null, 0, 1); // dL/dw = -2^50
            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> cg.trainStep(1));
            assertEquals(NonFiniteStepException.Source.UPDATE, e.source());
            assertEquals(Float.MAX_VALUE, cg.readParameter(0)[0]);
        }
        // Adam: a momentum of the largest float, over a second moment near 0 and ε = 1e-7.
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph cg = Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(),
                        new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), pool)) {
            cg.writeParameter(0, new float[] {0.5f});
            cg.ensureCapacity(1);
            cg.loadInputs(new float[][] {{1}}, null, 0, 1);
            cg.loadTargets(new float[][] {{0.5f}}, null, 0, 1);
            cg.trainStep(1);
            cg.writeSlot(0, 0, new float[] {Float.MAX_VALUE});
            cg.loadTargets(new float[][] {{0.4995f}}, null, 0, 1); // a gradient near 1e-3
            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> cg.trainStep(1));
            assertEquals(NonFiniteStepException.Source.UPDATE, e.source());
            assertEquals(Float.MAX_VALUE, cg.readSlot(0, 0)[0]);
        }
    }

    @Test
    void aRefusedStepLeavesTheDropoutStreamWhereItWas() {
        Graph g = new Graph(4);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", 4, 6)), g.input());
        n = g.add("dropout", new Dropout(0.5f, new DropoutSeed(0, 0)), n);
        g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", 6, 3)), n);
        try (KernelPool pool = new KernelPool(1);
                CompiledGraph cg = Compiler.compile(g, new MeanSquaredErrorLoss(), List.of(),
                        new GradientDescentRule(0.1f, 0f, false), pool)) {
            GraphFixtures.randomize(cg, 3);
            cg.seedDropout(99);
            cg.ensureCapacity(2);
            float[][] x = GraphFixtures.randomRows(2, 4, 1);
            cg.loadInputs(x, null, 0, 2);
            cg.loadTargets(new float[][] {{1, 0, 0}, {0, 1, 0}}, null, 0, 2);
            cg.trainStep(2);
            assertEquals(1, cg.dropoutStep());
            x[1][2] = Float.NaN;
            cg.loadInputs(x, null, 0, 2);
            assertThrows(NonFiniteStepException.class, () -> cg.trainStep(2));
            assertEquals(1, cg.dropoutStep(), "the refused step drew no masks");
        }
    }

    /** Every parameter and both Adam slots of each. */
    private static List<float[]> snapshot(CompiledGraph cg) {
        List<float[]> out = new ArrayList<>();
        for (int p = 0; p < cg.parameters().size(); p++) {
            out.add(cg.readParameter(p));
            for (int s = 0; s < cg.optimizerSlots(); s++) {
                out.add(cg.readSlot(s, p));
            }
        }
        assertEquals(2, cg.optimizerSlots());
        return out;
    }
}
