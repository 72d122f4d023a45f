package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.exec.KernelPool;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Determinism through the user's API (Sequential, compile, fit with shuffling and dropout): the same seed
 * and thread count give bit-identical weights and history (with a validation split too), and so do 1, 2
 * and 3 threads, at sizes where every kernel dispatch of fit really runs on every thread (checked with
 * the global pool's dispatch counts).
 */
class ApiDeterminismTest {
    private int threadsBefore;

    @BeforeEach
    void rememberThreads() {
        threadsBefore = Kiln.threads();
    }

    @AfterEach
    void restoreThreads() {
        Kiln.setThreads(threadsBefore);
    }

    private record Run(List<float[]> weights, List<Double> losses) {
    }

    private static float[][] rows(int count, int width, Random r) {
        float[][] x = new float[count][width];
        for (float[] row : x) {
            for (int j = 0; j < width; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    /** A small net and data set: nothing here splits, which is what the same-thread-count claim needs. */
    private static Run trainSmall(int threads, String loss) {
        Kiln.setThreads(threads);
        Random r = new Random(21);
        float[][] x = rows(300, 40, r);
        float[][] y = new float[300][6];
        for (float[] row : y) {
            row[r.nextInt(6)] = 1;
        }
        Kiln.setSeed(1234);
        try (Model model = Sequential.of(Dense(96, "relu"), Dropout(0.2), Dense(48, "gelu"), Dense(6, "softmax"))
                .compile("adam", loss, "accuracy")) {
            History h = model.fit(x, y, epochs(3), batchSize(37), validationSplit(0.2), verbose(0));
            return new Run(model.getWeights(), h.history().get("loss"));
        }
    }

    /**
     * Batches of 256 rows of 400 features through layers of 384 and 256 units and a 96-class output: the
     * narrowest dispatch, dropout's backward pass, just reaches three parts' worth of work.
     */
    private static Run trainLarge(int threads) {
        Kiln.setThreads(threads);
        Random r = new Random(22);
        float[][] x = rows(1024, 400, r);
        int[] y = r.ints(1024, 0, 96).toArray();
        Kiln.setSeed(4321);
        try (Model model = Sequential.of(Input(400), Dense(384, "relu"), Dropout(0.2), Dense(256, "gelu"),
                Dense(96, "softmax")).compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            KernelPool pool = KernelPool.global();
            long dispatches = pool.dispatches();
            long parts = pool.partsDispatched();
            History h = model.fit(x, y, epochs(2), batchSize(256), verbose(0));
            long fitDispatches = pool.dispatches() - dispatches;
            assertTrue(fitDispatches > 0, "fit ran no kernel through the global pool");
            assertEquals(fitDispatches * threads, pool.partsDispatched() - parts, "fit on " + threads
                    + " threads made " + fitDispatches + " dispatches: each should use every thread");
            return new Run(model.getWeights(), h.history().get("loss"));
        }
    }

    @Test
    void sameSeedAndThreadCountGiveBitIdenticalWeights() {
        // Softmax fused with its loss, and softmax computed on its own (mse reads probabilities).
        for (String loss : new String[] {"categorical_crossentropy", "mse"}) {
            Run a = trainSmall(2, loss);
            Run b = trainSmall(2, loss);
            assertSameBits(a, b, loss);
        }
    }

    @Test
    void oneTwoAndThreeThreadsGiveBitIdenticalWeights() {
        Run one = trainLarge(1);
        assertSameBits(one, trainLarge(2), "1 and 2 threads");
        assertSameBits(one, trainLarge(3), "1 and 3 threads");
    }

    private static void assertSameBits(Run expected, Run actual, String what) {
        assertEquals(expected.weights().size(), actual.weights().size());
        for (int p = 0; p < expected.weights().size(); p++) {
            assertArrayEquals(expected.weights().get(p), actual.weights().get(p), what + ": parameter " + p);
        }
        assertEquals(expected.losses(), actual.losses(), what + ": losses");
    }
}
