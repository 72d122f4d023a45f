package dev.kiln;

import dev.kiln.optimizers.schedules.LearningRateSchedule;

/**
 * Asks a learning-rate schedule for the rates a fit will use before it uses them, so that a schedule
 * that turns NaN, negative or too large for float32 at step 5,000 is refused before step 1, not after
 * 4,999 steps have changed the weights. Schedules are functions of the step alone, so asking early
 * changes nothing. The first {@link #LOOKAHEAD} steps are checked when the fit starts; a fit longer
 * than that (epochs(1_000_000) with EarlyStopping) has each later epoch checked before it begins, so
 * that no epoch is left half trained.
 */
final class ScheduleCheck {
    /** About 4 M calls, a few tens of milliseconds for Keras' schedules. */
    static final long LOOKAHEAD = 1L << 22;

    private final LearningRateSchedule schedule;
    private final long firstStep;
    private final int stepsPerEpoch;
    private final int initialEpoch;
    private long checkedUntil;

    /**
     * Checks the fit's first steps, at most {@code lookahead} of them; {@code totalSteps} is how many the
     * whole fit may take.
     */
    ScheduleCheck(LearningRateSchedule schedule, long firstStep, int stepsPerEpoch, int initialEpoch, long totalSteps,
            long lookahead) {
        this.schedule = schedule;
        this.firstStep = firstStep;
        this.stepsPerEpoch = stepsPerEpoch;
        this.initialEpoch = initialEpoch;
        this.checkedUntil = firstStep;
        checkUntil(firstStep + Math.min(totalSteps, lookahead), "Nothing was trained.");
    }

    /** Before epoch {@code epoch} starts at step {@code step}: its rates, if the first check did not reach them. */
    void beforeEpoch(int epoch, long step) {
        checkUntil(step + stepsPerEpoch, "Training stopped before epoch " + (epoch + 1) + ".");
    }

    private void checkUntil(long end, String consequence) {
        for (long step = checkedUntil; step < end; step++) {
            double rate = schedule.at(step);
            if (!(rate >= 0) || rate > Float.MAX_VALUE) {
                long k = step - firstStep;
                throw new IllegalArgumentException("the learning-rate schedule gives " + rate + " at step " + step
                        + ", which this fit would reach in epoch " + (initialEpoch + k / stepsPerEpoch + 1) + ", batch "
                        + (k % stepsPerEpoch + 1) + "; a learning rate must be a finite number >= 0 (at most "
                        + Float.MAX_VALUE + "). " + consequence);
            }
        }
        checkedUntil = Math.max(checkedUntil, end);
    }
}
