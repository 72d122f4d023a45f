package dev.kiln;

import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * One model, many threads: calls are serialised on the model (see Model's Javadoc), so 8 threads
 * predicting at once each get exactly the single-threaded answer, and a close racing with them makes
 * each call either finish correctly or fail with IllegalStateException — never a crash or a wrong answer.
 */
class ConcurrentUseTest {
    private static final int THREADS = 8;
    private static final int CALLS = 150;

    /** {@code n} rows of 20 standard normal features from {@code seed}. */
    static float[][] rows(int n, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[n][20];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    private static Model trainedModel() {
        Kiln.setSeed(8);
        Model model = Sequential.of(Input(20), Dense(32, "relu"), Dense(5, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy");
        int[] y = new int[64];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 5;
        }
        model.fit(rows(64, 1), y, epochs(2), verbose(0));
        return model;
    }

    @Test
    void predictFromEightThreadsGivesEveryCallerTheSingleThreadedResult() throws Exception {
        // Inputs of different sizes, so callers also race on growing the workspace.
        int[] sizes = {1, 7, 300, 1500, 33};
        List<float[][]> inputs = new ArrayList<>();
        List<float[][]> expected = new ArrayList<>();
        try (Model model = trainedModel()) {
            for (int s = 0; s < sizes.length; s++) {
                inputs.add(rows(sizes[s], 100 + s));
            }
            for (float[][] x : inputs) {
                expected.add(model.predict(x));
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    start.await();
                    int checked = 0;
                    for (int c = 0; c < CALLS; c++) {
                        int k = (thread + c) % sizes.length;
                        float[][] got = model.predict(inputs.get(k));
                        assertEquals(expected.get(k).length, got.length, "thread " + thread + " call " + c + " rows");
                        for (int i = 0; i < got.length; i++) {
                            assertArrayEquals(expected.get(k)[i], got[i], "thread " + thread + " call " + c + " row " + i);
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get();
            }
            pool.shutdown();
            assertEquals(THREADS * CALLS, total);
        }
    }

    /**
     * Each thread predicts until it is refused. The model is closed only once some calls were answered, so
     * both outcomes really happen: every answer must be whole and right, and once a thread has been
     * refused, it must stay refused.
     */
    @Test
    void closeRacingWithPredictionsIsEitherCorrectOrIllegalState() throws Exception {
        Model model = trainedModel();
        float[][] x = rows(200, 5);
        float[][] expected = model.predict(x);
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            done.add(pool.submit((Callable<Void>) () -> {
                start.await();
                while (true) {
                    try {
                        float[][] got = model.predict(x);
                        assertTrue(Arrays.deepEquals(expected, got), "an answer differs from the single-threaded one");
                        answered.incrementAndGet();
                    } catch (IllegalStateException e) {
                        assertTrue(e.getMessage().contains("closed"), e.getMessage());
                        refused.incrementAndGet();
                        break;
                    }
                }
                IllegalStateException again = assertThrows(IllegalStateException.class, () -> model.predict(x));
                assertTrue(again.getMessage().contains("closed"), again.getMessage());
                return null;
            }));
        }
        start.countDown();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (answered.get() < 2 * THREADS) {
            assertTrue(System.nanoTime() < deadline, "only " + answered.get() + " calls answered in 60 s");
            Thread.sleep(1);
        }
        model.close();
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertTrue(answered.get() >= 2 * THREADS, answered.get() + " calls answered");
        assertEquals(THREADS, refused.get(), "each thread is refused once it reaches a closed model");
    }
}
