package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The look-ahead over a fit's learning rates: everything up front when short, epoch by epoch beyond. */
class ScheduleCheckTest {
    private static final LearningRateSchedule INVALID_FROM_50 = step -> step < 50 ? 0.01 : -1;

    @Test
    void withinTheLookaheadAnInvalidRateIsFoundBeforeTheFirstStep() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ScheduleCheck(INVALID_FROM_50, 10, 8, 2, 100, 1000));
        assertEquals("the learning-rate schedule gives -1.0 at step 50, which this fit would reach in epoch 8, batch 1;"
                + " a learning rate must be a finite number >= 0 (at most 3.4028235E38). Nothing was trained.",
                e.getMessage());
    }

    @Test
    void beyondTheLookaheadEachEpochIsCheckedBeforeItBegins() {
        AtomicLong asked = new AtomicLong();
        LearningRateSchedule counting = step -> {
            asked.incrementAndGet();
            return INVALID_FROM_50.at(step);
        };
        // A fit of a billion steps: only 16 are asked up front, then one epoch of 8 at a time.
        ScheduleCheck check = new ScheduleCheck(counting, 0, 8, 0, 1_000_000_000L, 16);
        assertEquals(16, asked.get());
        assertDoesNotThrow(() -> check.beforeEpoch(0, 0));
        assertDoesNotThrow(() -> check.beforeEpoch(1, 8));
        assertEquals(16, asked.get());
        assertDoesNotThrow(() -> check.beforeEpoch(2, 16));
        assertEquals(24, asked.get());
        for (int epoch = 3; epoch < 6; epoch++) {
            int e = epoch;
            assertDoesNotThrow(() -> check.beforeEpoch(e, 8L * e));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> check.beforeEpoch(6, 48));
        assertEquals("the learning-rate schedule gives -1.0 at step 50, which this fit would reach in epoch 7, batch 3;"
                + " a learning rate must be a finite number >= 0 (at most 3.4028235E38). Training stopped before"
                + " epoch 7.", e.getMessage());
    }
}
