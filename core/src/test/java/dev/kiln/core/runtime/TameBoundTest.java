package dev.kiln.core.runtime;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each rule's proof from bounds is sound: wherever it says that tame state and tame gradients give a
 * finite update, the exact check of the most extreme tame state (every weight and momentum just below
 * 2^65 with either sign, second moments 0 or just below 2^121, gradients just below 2^51, 0 or tiny)
 * agrees, over learning rates from 2^-30 to 2^100 and extreme ε, momentum and decay. And it is of use:
 * at Keras' defaults it proves the update finite, so the exact check does not run every step.
 */
class TameBoundTest {
    private static final float VALUE = Math.nextDown((float) TameBounds.VALUE);
    private static final float SQUARES = Math.nextDown((float) TameBounds.SQUARES);
    private static final float GRADIENT = Math.nextDown((float) TameBounds.GRADIENT);

    static List<UpdateRule> rules() {
        List<UpdateRule> rules = new ArrayList<>();
        for (float epsilon : new float[] {0f, 1e-7f, 1f, 1024f, 0x1p40f}) {
            rules.add(new RmsPropRule(1e-3f, 0.9f, epsilon));
            rules.add(new AdagradRule(1e-3f, 0.1f, epsilon));
            for (float decay : new float[] {0f, 0.004f, 0.5f}) {
                rules.add(new AdamRule(1e-3f, 0.9f, 0.999f, epsilon, decay));
                rules.add(new AdamRule(1e-3f, 0f, 0f, epsilon, decay));
            }
        }
        for (float momentum : new float[] {0f, 0.5f, 0.9f, 1f}) {
            rules.add(new GradientDescentRule(0.01f, momentum, false));
            rules.add(new GradientDescentRule(0.01f, momentum, true));
        }
        return rules;
    }

    @Test
    void whereTheBoundSaysFiniteTheExactCheckAgrees() {
        int proven = 0;
        for (UpdateRule rule : rules()) {
            for (int exponent = -30; exponent <= 100; exponent++) {
                float lr = (float) Math.scalb(1.0, exponent);
                for (long step : new long[] {1, 2, 1000}) {
                    try (Arena arena = Arena.ofConfined()) {
                        UpdateRule.Bound update = rule.bind(extremeTameState(arena, rule));
                        update.prepare(step, lr);
                        if (update.tameUpdateStaysFinite()) {
                            proven++;
                            assertTrue(update.update(0, ELEMENTS, false),
                                    rule + " at lr 2^" + exponent + ", step " + step + ": proven finite but is not");
                        }
                    }
                }
            }
        }
        assertTrue(proven > 1000, "the bound proved only " + proven + " cases");
    }

    @Test
    void atKerasDefaultsTheBoundProvesTheUpdateFinite() {
        for (UpdateRule rule : List.of(new GradientDescentRule(0.01f, 0f, false), new GradientDescentRule(0.01f, 0.9f, true),
                new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0.004f),
                new RmsPropRule(1e-3f, 0.9f, 1e-7f), new AdagradRule(1e-3f, 0.1f, 1e-7f))) {
            try (Arena arena = Arena.ofConfined()) {
                UpdateRule.Bound update = rule.bind(extremeTameState(arena, rule));
                for (long step : new long[] {1, 10, 1_000_000}) {
                    update.prepare(step, rule.learningRate());
                    assertTrue(update.tameUpdateStaysFinite(), rule + " at step " + step);
                }
            }
        }
    }

    private static final float[] SIGNED_VALUES = {VALUE, -VALUE};
    private static final float[] SQUARE_VALUES = {0f, SQUARES};
    private static final float[] GRADIENTS = {GRADIENT, -GRADIENT, 0f, 1e-30f};
    private static final int ELEMENTS = SIGNED_VALUES.length * SIGNED_VALUES.length * SQUARE_VALUES.length
            * GRADIENTS.length;

    /**
     * Every combination of extreme tame values: weights and momenta of either sign, second moments (the
     * slots the rule says are never negative) 0 or at the bound.
     */
    private static UpdateBuffers extremeTameState(Arena arena, UpdateRule rule) {
        MemorySegment w = arena.allocate((long) ELEMENTS * Float.BYTES, 64);
        MemorySegment g = arena.allocate((long) ELEMENTS * Float.BYTES, 64);
        MemorySegment first = arena.allocate((long) ELEMENTS * Float.BYTES, 64);
        MemorySegment second = arena.allocate((long) ELEMENTS * Float.BYTES, 64);
        int e = 0;
        for (float weight : SIGNED_VALUES) {
            for (float momentum : SIGNED_VALUES) {
                for (float square : SQUARE_VALUES) {
                    for (float gradient : GRADIENTS) {
                        w.setAtIndex(JAVA_FLOAT, e, weight);
                        g.setAtIndex(JAVA_FLOAT, e, gradient);
                        first.setAtIndex(JAVA_FLOAT, e, momentum);
                        second.setAtIndex(JAVA_FLOAT, e, square);
                        e++;
                    }
                }
            }
        }
        List<MemorySegment> slots = new ArrayList<>();
        for (int s = 0; s < rule.slots(); s++) {
            slots.add(rule.slotNonNegative(s) ? second : first);
        }
        return new UpdateBuffers(w, g, slots);
    }
}
