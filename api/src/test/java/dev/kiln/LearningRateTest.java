package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.LearningRateScheduler;
import dev.kiln.callbacks.ReduceLROnPlateau;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.SGD;
import dev.kiln.optimizers.schedules.ExponentialDecay;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import dev.kiln.optimizers.schedules.PiecewiseConstantDecay;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Learning rates in fit: schedules step by step, the two callbacks that set the rate, and their conflict. */
class LearningRateTest {
    private static final float[][] X = {{1f, 2f, -1f}, {0.5f, -1f, 2f}, {-2f, 0f, 1f}, {1.5f, 1f, 0f}};
    private static final float[][] Y = {{1f}, {0f}, {-1f}, {0.5f}};

    private static Model linear(Optimizer optimizer) {
        Kiln.setSeed(5);
        return Sequential.of(Input(3), Dense(1)).compile(optimizer, "mse");
    }

    private static void assertSameWeights(Model a, Model b) {
        List<float[]> wa = a.getWeights();
        List<float[]> wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) {
            assertArrayEquals(wa.get(i), wb.get(i), "weight " + i);
        }
    }

    @Test
    void aScheduleSetsTheRateOfEveryStepFromTheStepCount() {
        // 0.1 for step 0, then 0: five epochs of full batches move the weights exactly as one step at 0.1.
        var schedule = new PiecewiseConstantDecay(new long[] {0}, new double[] {0.1, 0.0});
        try (Model scheduled = linear(new SGD(schedule)); Model once = linear(new SGD(0.1))) {
            scheduled.fit(X, Y, epochs(5), batchSize(4), shuffle(false), verbose(0));
            once.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            assertSameWeights(scheduled, once);
            assertEquals(0.0, scheduled.learningRate());
        }
    }

    @Test
    void aDecayingScheduleMatchesTheSameRatesSetByHand() {
        var schedule = new ExponentialDecay(0.05, 1, 0.5);
        try (Model scheduled = linear(new SGD(schedule)); Model byHand = linear(new SGD(0.05))) {
            scheduled.fit(X, Y, epochs(3), batchSize(4), shuffle(false), verbose(0));
            for (int step = 0; step < 3; step++) {
                byHand.setLearningRate((float) schedule.at(step));
                byHand.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            }
            assertSameWeights(scheduled, byHand);
            assertEquals(0.05 / 8, scheduled.learningRate(), 1e-12, "the rate of the next step, step 3");
        }
    }

    @Test
    void settingTheRateOfAScheduledOptimizerFailsAsInKeras() {
        try (Model model = linear(new Adam(new ExponentialDecay(1e-3, 100, 0.9)))) {
            var e = assertThrows(IllegalStateException.class, () -> model.setLearningRate(0.1));
            assertTrue(e.getMessage().contains("schedule"), e.getMessage());
            List<float[]> before = model.getWeights();
            var plateau = assertThrows(IllegalStateException.class,
                    () -> model.fit(X, Y, epochs(3), verbose(0), callbacks(new ReduceLROnPlateau())));
            assertTrue(plateau.getMessage().contains("ReduceLROnPlateau"), plateau.getMessage());
            assertThrows(IllegalStateException.class,
                    () -> model.fit(X, Y, verbose(0), callbacks(new LearningRateScheduler((epoch, lr) -> lr))));
            assertEquals(0, model.iterations(), "nothing trained");
            assertArrayEquals(before.get(0), model.getWeights().get(0));
        }
    }

    @Test
    void reduceLrOnPlateauLowersTheRateAfterPatienceEpochsAndNotBelowMinLr() {
        // Full-batch gradient descent on a convex loss: the loss falls every epoch, so in "max" mode
        // nothing after the first epoch is an improvement.
        try (Model model = linear(new SGD(0.1))) {
            var plateau = new ReduceLROnPlateau().monitor("loss").mode("max").patience(2).factor(0.5).minLr(0.03);
            History h = model.fit(X, Y, epochs(7), batchSize(4), shuffle(false), verbose(0), callbacks(plateau));
            List<Double> rates = h.history().get("learning_rate");
            double[] expected = {0.1, 0.1, 0.1, 0.05, 0.05, 0.03, 0.03};
            assertEquals(expected.length, rates.size());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], rates.get(i), 1e-7, "epoch " + i + ": " + rates);
            }
            assertEquals(0.03, model.learningRate(), 1e-7);
        }
    }

    @Test
    void reduceLrOnPlateauWaitsOutItsCooldownAndKeepsTheRateWhileImproving() {
        try (Model model = linear(new SGD(0.1))) {
            var plateau = new ReduceLROnPlateau().monitor("loss").mode("max").patience(1).factor(0.5).cooldown(2);
            History h = model.fit(X, Y, epochs(6), batchSize(4), shuffle(false), verbose(0), callbacks(plateau));
            // Keras' counting: epoch 1 reduces and sets the cooldown to 2; epoch 2 counts it down to 1 and
            // waits; epoch 3 counts it down to 0, is out of cooldown, and with patience 1 reduces again.
            // Each epoch logs the rate it trained with.
            double[] expected = {0.1, 0.1, 0.05, 0.05, 0.025, 0.025};
            List<Double> rates = h.history().get("learning_rate");
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], rates.get(i), 1e-7, "epoch " + i + ": " + rates);
            }
        }
        try (Model model = linear(new SGD(0.1))) {
            History h = model.fit(X, Y, epochs(5), batchSize(4), shuffle(false), verbose(0),
                    callbacks(new ReduceLROnPlateau().monitor("loss").patience(1)));
            h.history().get("learning_rate").forEach(lr -> assertEquals(0.1, lr, 1e-7));
        }
        assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau().factor(1.0));
    }

    @Test
    void learningRateSchedulerSetsEachEpochsRate() {
        try (Model model = linear(new SGD(0.1))) {
            var scheduler = new LearningRateScheduler((epoch, lr) -> epoch == 0 ? lr : lr / 2);
            History h = model.fit(X, Y, epochs(3), batchSize(4), shuffle(false), verbose(0), callbacks(scheduler));
            List<Double> rates = h.history().get("learning_rate");
            assertEquals(0.1, rates.get(0), 1e-7);
            assertEquals(0.05, rates.get(1), 1e-7);
            assertEquals(0.025, rates.get(2), 1e-7);
        }
        // A rate of 0 from epoch 1 on: three epochs end where one did.
        try (Model frozen = linear(new SGD(0.1)); Model once = linear(new SGD(0.1))) {
            frozen.fit(X, Y, epochs(3), batchSize(4), shuffle(false), verbose(0),
                    callbacks(new LearningRateScheduler((epoch, lr) -> epoch == 0 ? 0.1 : 0.0)));
            once.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            assertSameWeights(frozen, once);
        }
        try (Model model = linear(new SGD(0.1))) {
            assertThrows(IllegalArgumentException.class, () -> model.fit(X, Y, verbose(0),
                    callbacks(new LearningRateScheduler((epoch, lr) -> Double.NaN))));
        }
    }

    @Test
    void aRateSetBeforeTheModelIsBuiltAppliesWhenItIs() {
        Kiln.setSeed(5);
        try (Model model = Sequential.of(Dense(1)).compile(new SGD(0.1), "mse")) {
            model.setLearningRate(0.02);
            assertEquals(0.02, model.learningRate(), 1e-12);
            model.fit(X, Y, verbose(0));
            assertEquals(0.02, model.learningRate(), 1e-7);
            assertThrows(IllegalArgumentException.class, () -> model.setLearningRate(-1));
        }
    }
    @Test
    void aRateFloat32CannotHoldIsRefusedWhenGiven() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SGD(1e39));
        assertEquals("learning_rate must be a finite number >= 0 (at most 3.4028235E38, the largest float32),"
                + " got 1.0E39", e.getMessage());
        // Before the model is built the rate waits to be applied; it is checked when given all the same.
        try (Model lazy = Sequential.of(Dense(1)).compile("sgd", "mse")) {
            assertThrows(IllegalArgumentException.class, () -> lazy.setLearningRate(1e39));
            lazy.fit(X, Y, verbose(0));
            assertEquals(0.01, lazy.learningRate(), 1e-9);
        }
    }

    @Test
    void aScheduleThatTurnsInvalidLaterIsRefusedBeforeTheFirstStep() {
        LearningRateSchedule turnsNaN = step -> step < 5 ? 0.01 : Double.NaN;
        try (Model model = linear(new SGD(turnsNaN))) {
            List<float[]> before = model.getWeights();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.fit(X, Y, epochs(3), batchSize(2), verbose(0)));
            assertEquals("the learning-rate schedule gives NaN at step 5, which this fit would reach in epoch 3, batch 2;"
                    + " a learning rate must be a finite number >= 0 (at most 3.4028235E38). Nothing was trained.",
                    e.getMessage());
            assertEquals(0, model.iterations());
            for (int i = 0; i < before.size(); i++) {
                assertArrayEquals(before.get(i), model.getWeights().get(i), "weight " + i + " unchanged");
            }
            model.fit(X, Y, epochs(2), batchSize(2), verbose(0)); // 4 steps stay within the valid rates
            assertEquals(4, model.iterations());
        }
    }
}
