package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.Callback;
import dev.kiln.callbacks.TerminateOnNaN;
import dev.kiln.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The finite-loss guard and TerminateOnNaN together: without the callback a diverging fit throws
 * NonFiniteLossException; with it the run stops gracefully (onTrainEnd runs), and in both cases the
 * update of the failed batch was never applied, so the weights stay finite.
 */
class TerminateOnNaNGuardTest {
    private static final float[][] X = new float[10][2];
    private static final float[][] Y = new float[10][1];

    static {
        Random r = new Random(3);
        for (int i = 0; i < X.length; i++) {
            X[i][0] = (float) r.nextGaussian();
            X[i][1] = (float) r.nextGaussian();
            Y[i][0] = 5 * X[i][0] - 3;
        }
    }

    private static Model divergent() {
        Kiln.setSeed(4);
        return Sequential.of(Input(2), Dense(1)).compile(new SGD(1e6), "mse");
    }

    private static boolean allFinite(Model model) {
        for (float[] w : model.getWeights()) {
            for (float v : w) {
                if (!Float.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    void withoutTheCallbackTheGuardThrows() {
        try (Model model = divergent()) {
            assertThrows(NonFiniteLossException.class,
                    () -> model.fit(X, Y, epochs(20), batchSize(1), verbose(0)));
            assertTrue(allFinite(model), "the failed batch's update was not applied");
        }
    }

    @Test
    void withTheCallbackTheRunEndsGracefullyWithFiniteWeights() {
        boolean[] trainEnded = {false};
        Callback endWatcher = new Callback() {
            @Override
            public void onTrainEnd(Map<String, Double> logs) {
                trainEnded[0] = true;
            }
        };
        PrintStream original = System.out;
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        History h;
        try (Model model = divergent()) {
            h = model.fit(X, Y, epochs(20), batchSize(1), verbose(0), callbacks(new TerminateOnNaN(), endWatcher));
            assertTrue(allFinite(model), "the failed batch's update was not applied");
        } finally {
            System.setOut(original);
        }
        assertTrue(trainEnded[0], "a graceful stop runs onTrainEnd");
        assertEquals(1, h.epoch().size());
    }
}
