package dev.kiln.core.runtime;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import dev.kiln.core.runtime.FiniteGuard;
import dev.kiln.core.runtime.NonFiniteStepException;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.UpdateRule;
import dev.kiln.core.runtime.UpdateStep;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The check before the optimizer update: it refuses a non-finite gradient wherever it sits and an
 * update that a finite gradient would overflow, names the parameter at fault, and writes nothing, on
 * any thread count.
 */
class UpdateGuardTest {
    private static final int[][] SHAPES = {{784, 128}, {128}, {128, 10}, {10}};

    /** Parameters laid out as a compiled graph lays them out, with an update step and its guard. */
    private static final class Setup {
        final List<Parameter> parameters = new ArrayList<>();
        final MemorySegment values;
        final MemorySegment gradients;
        final MemorySegment slot0;
        final MemorySegment slot1;
        final UpdateStep update;
        final Step guard;

        Setup(Arena arena, KernelPool pool, UpdateRule rule) {
            // As a compiled graph lays parameters out: back to back, each from a 64-byte boundary.
            long[] offsets = new long[SHAPES.length];
            long total = 0;
            for (int i = 0; i < SHAPES.length; i++) {
                parameters.add(new Parameter("p" + i, SHAPES[i]));
                offsets[i] = total;
                total += (parameters.get(i).size() + 15) & ~15L;
            }
            values = arena.allocate(total * Float.BYTES, 64);
            gradients = arena.allocate(total * Float.BYTES, 64);
            slot0 = arena.allocate(total * Float.BYTES, 64);
            slot1 = arena.allocate(total * Float.BYTES, 64);
            for (int i = 0; i < SHAPES.length; i++) {
                long bytes = parameters.get(i).size() * Float.BYTES;
                parameters.get(i).bind(offsets[i], values.asSlice(offsets[i] * Float.BYTES, bytes),
                        gradients.asSlice(offsets[i] * Float.BYTES, bytes));
            }
            Random r = new Random(3);
            for (Parameter p : parameters) {
                for (long e = 0; e < p.size(); e++) {
                    p.value().setAtIndex(JAVA_FLOAT, e, (float) r.nextGaussian());
                    p.gradient().setAtIndex(JAVA_FLOAT, e, (float) r.nextGaussian() * 0.01f);
                    slot0.setAtIndex(JAVA_FLOAT, p.offset() + e, (float) r.nextDouble() * 0.01f); // >= 0: a second moment in RMSprop and Adagrad
                    slot1.setAtIndex(JAVA_FLOAT, p.offset() + e, (float) r.nextDouble() * 0.01f);
                }
            }
            update = new UpdateStep(rule, new UpdateBuffers(values, gradients, List.of(slot0, slot1).subList(0, rule.slots())),
                    (int) total, pool);
            guard = FiniteGuard.beforeUpdate(update, parameters, List.of(), () -> 2.5);
        }

        float[][] state() {
            return new float[][] {values.toArray(JAVA_FLOAT), slot0.toArray(JAVA_FLOAT), slot1.toArray(JAVA_FLOAT)};
        }
    }

    @Test
    void aNonFiniteGradientAnywhereIsRefusedNamingItsParameterOnAnyThreadCount() {
        for (int threads : new int[] {1, 2, 3}) {
            try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(threads)) {
                Setup s = new Setup(arena, pool, new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f));
                float[][] before = s.state();
                assertDoesNotThrow(() -> s.guard.run(1));
                for (Parameter p : s.parameters) {
                    for (long at : new long[] {0, p.size() / 2, p.size() - 1}) {
                        for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
                            float good = p.gradient().getAtIndex(JAVA_FLOAT, at);
                            p.gradient().setAtIndex(JAVA_FLOAT, at, bad);
                            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> s.guard.run(1),
                                    threads + " threads, " + bad + " at " + p.name() + "[" + at + "]");
                            assertEquals(NonFiniteStepException.Source.GRADIENT, e.source());
                            assertEquals(p.name(), e.parameter());
                            assertEquals(2.5, e.lossSum());
                            p.gradient().setAtIndex(JAVA_FLOAT, at, good);
                            assertDoesNotThrow(() -> s.guard.run(1), "after the repair");
                        }
                    }
                }
                assertStateEquals(before, s.state(), "the checks wrote nothing");
            }
        }
    }

    @Test
    void aFiniteGradientThatAdamWouldSquareToInfinityIsRefusedBeforeAnySlotChanges() {
        for (int threads : new int[] {1, 2, 3}) {
            try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(threads)) {
                Setup s = new Setup(arena, pool, new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f));
                Parameter p = s.parameters.get(2);
                p.gradient().setAtIndex(JAVA_FLOAT, 77, 3e19f); // finite, but its square is not
                float[][] before = s.state();
                NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> s.guard.run(1));
                assertEquals(NonFiniteStepException.Source.UPDATE, e.source());
                assertEquals("p2", e.parameter());
                assertStateEquals(before, s.state(), threads + " threads");
                assertEquals(0, s.update.iterations());
            }
        }
    }

    @Test
    void anSgdStepThatOverflowsAWeightIsRefused() {
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(2)) {
            Setup s = new Setup(arena, pool, new GradientDescentRule(1e30f, 0.9f, true));
            s.parameters.get(3).gradient().setAtIndex(JAVA_FLOAT, 9, 1e10f);
            float[][] before = s.state();
            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> s.guard.run(1));
            assertEquals(NonFiniteStepException.Source.UPDATE, e.source());
            assertEquals("p3", e.parameter());
            assertStateEquals(before, s.state(), "nothing written");
        }
    }

    /**
     * After a write the step knows its state is tame and proves the next update finite from bounds; a
     * weight written from outside since (the largest float, here) voids that, and the exact check runs.
     * SGD at a rate of 2^54 with a gradient below the tame bound would push it past the largest float.
     */
    @Test
    void stateWrittenFromOutsideIsCheckedExactlyAgain() {
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(2)) {
            Setup s = new Setup(arena, pool, new GradientDescentRule(0x1p54f, 0f, false));
            s.gradients.fill((byte) 0);
            s.guard.run(1);
            s.update.run(1); // nothing moves, and the step now knows its state is tame
            Parameter p = s.parameters.get(0);
            p.value().setAtIndex(JAVA_FLOAT, 5, Float.MAX_VALUE);
            p.gradient().setAtIndex(JAVA_FLOAT, 5, -0x1p50f * 1.9f);
            s.update.stateChanged(); // what CompiledGraph.writeParameter and writeSlot say
            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> s.guard.run(1));
            assertEquals(NonFiniteStepException.Source.UPDATE, e.source());
            assertEquals("p0", e.parameter());
            assertEquals(Float.MAX_VALUE, p.value().getAtIndex(JAVA_FLOAT, 5));
        }
    }

    /** One checked write with small gradients: afterwards the step knows its state is tame. */
    private static void makeTame(Setup s) {
        for (Parameter p : s.parameters) {
            for (long e = 0; e < p.size(); e++) {
                p.gradient().setAtIndex(JAVA_FLOAT, e, 1e-3f);
            }
        }
        s.guard.run(1);
        s.update.run(1);
    }

    @Test
    void fromTameStateAFiniteGradientAdamWouldSquareToInfinityIsStillRefused() {
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(2)) {
            Setup s = new Setup(arena, pool, new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f));
            makeTame(s);
            s.parameters.get(1).gradient().setAtIndex(JAVA_FLOAT, 3, 3e19f); // above the tame bound 2^51
            float[][] before = s.state();
            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> s.guard.run(1));
            assertEquals("p1", e.parameter());
            assertStateEquals(before, s.state(), "nothing written");
        }
    }

    @Test
    void fromTameStateALearningRateThatOverflowsAWeightIsStillRefused() {
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(2)) {
            Setup s = new Setup(arena, pool, new GradientDescentRule(0.01f, 0f, false));
            makeTame(s);
            s.update.setLearningRate(1e30f);
            s.parameters.get(2).gradient().setAtIndex(JAVA_FLOAT, 0, 0x1p50f); // tame: 1e30 · 2^50 is not
            NonFiniteStepException e = assertThrows(NonFiniteStepException.class, () -> s.guard.run(1));
            assertEquals("p2", e.parameter());
        }
    }

    /**
     * Dividing by an ε above 1 shrinks a step, but the product divided must not overflow first:
     * RMSprop's g·lr with ε = 2^40 (2^45 · 2^90 is past float), Adam's m·alpha with ε = 1024.
     */
    @Test
    void aLargeEpsilonDoesNotHideAProductThatOverflowsBeforeTheDivision() {
        try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(2)) {
            Setup rms = new Setup(arena, pool, new RmsPropRule(1e-3f, 0.9f, 0x1p40f));
            makeTame(rms);
            rms.update.setLearningRate(0x1p90f);
            rms.parameters.get(0).gradient().setAtIndex(JAVA_FLOAT, 0, 0x1p45f);
            assertThrows(NonFiniteStepException.class, () -> rms.guard.run(1), "RMSprop");

            Setup adam = new Setup(arena, pool, new AdamRule(1e-3f, 0.9f, 0.999f, 1024f, 0f));
            makeTame(adam);
            adam.slot0.setAtIndex(JAVA_FLOAT, 0, 0x1p64f); // a momentum the writing pass may leave: below 2^65
            adam.update.setLearningRate(0x1p68f);
            assertThrows(NonFiniteStepException.class, () -> adam.guard.run(1), "Adam");
        }
    }

    @Test
    void aPassingCheckWritesNothingAndTheUpdateThenRuns() {
        for (UpdateRule rule : List.of(new GradientDescentRule(0.1f, 0f, false),
                new GradientDescentRule(0.1f, 0.9f, false), new AdamRule(1e-2f, 0.9f, 0.999f, 1e-7f, 4e-3f),
                new RmsPropRule(1e-2f, 0.9f, 1e-7f), new AdagradRule(1e-2f, 0.1f, 1e-7f))) {
            try (Arena arena = Arena.ofShared(); KernelPool pool = new KernelPool(2)) {
                Setup s = new Setup(arena, pool, rule);
                float[][] before = s.state();
                s.guard.run(1);
                assertStateEquals(before, s.state(), rule + ": the check alone");
                s.update.run(1);
                assertEquals(1, s.update.iterations());
                float[] after = s.values.toArray(JAVA_FLOAT);
                int changed = 0;
                for (int i = 0; i < after.length; i++) {
                    changed += after[i] != before[0][i] ? 1 : 0;
                }
                assertEquals(true, changed > 100_000, rule + " updated " + changed + " weights");
            }
        }
    }

    private static void assertStateEquals(float[][] expected, float[][] actual, String what) {
        for (int b = 0; b < expected.length; b++) {
            assertArrayEquals(expected[b], actual[b], what + ", buffer " + b);
        }
    }
}
