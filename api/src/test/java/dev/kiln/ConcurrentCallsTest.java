package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.LambdaCallback;
import dev.kiln.core.memory.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every public method of {@link Model}, called from several threads at once and from a fit's own
 * callbacks, gives what it gives alone: each result is compared with the single-threaded one (or, while
 * another thread changes the model, with one of the answers before or after that change), and a fit
 * that other threads or its callbacks read from ends with the same weights, bit for bit, as a fit alone.
 */
class ConcurrentCallsTest {
    private static final int THREADS = 6;
    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    private static int[] labels(int n) {
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = (i * 7) % 5;
        }
        return y;
    }

    /** Dropout and batch normalization too: training-only state that a stray evaluation must not disturb. */
    private static Model model() {
        Kiln.setSeed(8);
        return Sequential.of(Input(20), Dense(64, "relu"), BatchNormalization(), Dropout(0.2), Dense(5, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    private static final float[][] X = ConcurrentUseTest.rows(300, 1);
    private static final int[] Y = labels(300);
    private static final float[][] X_OTHER = ConcurrentUseTest.rows(1100, 2); // a larger batch: callers race on the workspace too
    private static final int[] Y_OTHER = labels(1100);

    /** Each read-only public method, as a name and a printable answer. */
    private Map<String, Function<Model, String>> readers(String thread) {
        Map<String, Function<Model, String>> calls = new LinkedHashMap<>();
        calls.put("predict", m -> Arrays.deepToString(m.predict(X)));
        calls.put("predict(Tensor)", m -> Arrays.deepToString(m.predict(Tensor.of(X_OTHER))));
        calls.put("evaluate", m -> m.evaluate(X, Y).toString());
        calls.put("evaluate(Tensor)", m -> m.evaluate(Tensor.of(X_OTHER), Y_OTHER).toString());
        calls.put("evaluateDetailed", m -> m.evaluateDetailed(X, Y).toString());
        calls.put("evaluateDetailed(large)", m -> m.evaluateDetailed(X_OTHER, Y_OTHER).toString());
        calls.put("getWeights", m -> Arrays.deepToString(m.getWeights().toArray(float[][]::new)));
        calls.put("summary", m -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            m.summary(new PrintStream(out, true, StandardCharsets.UTF_8));
            return out.toString(StandardCharsets.UTF_8);
        });
        calls.put("compiledPlan", Model::compiledPlan);
        calls.put("state", m -> m.iterations() + " " + m.learningRate() + " " + m.inputWidth() + " " + m.isBuilt()
                + " " + m.isClosed() + " " + m.layers() + " " + m.optimizer() + " " + m.loss() + " " + m.metrics()
                + " " + m.isStopTrainingRequested());
        calls.put("saveWeights", m -> io(() -> {
            Path file = dir.resolve("w-" + thread + ".safetensors");
            m.saveWeights(file);
            return Arrays.toString(Files.readAllBytes(file));
        }));
        calls.put("save+load", m -> io(() -> {
            Path file = dir.resolve("m-" + thread + ".kiln");
            m.save(file);
            try (Model back = Model.load(file)) {
                return Arrays.deepToString(back.getWeights().toArray(float[][]::new)) + back.iterations();
            }
        }));
        return calls;
    }

    @Test
    void everyReaderFromSixThreadsGetsItsSingleThreadedAnswer() throws Exception {
        try (Model model = model()) {
            model.fit(X, Y, epochs(1), verbose(0));
            Map<String, String> expected = answers(model, "expected");
            List<String> mismatches = runThreads(t -> {
                List<String> bad = new ArrayList<>();
                Map<String, Function<Model, String>> calls = readers("t" + t);
                List<String> names = new ArrayList<>(calls.keySet());
                for (int round = 0; round < ROUNDS; round++) {
                    String name = names.get((t + round) % names.size());
                    if (!calls.get(name).apply(model).equals(expected.get(name))) {
                        bad.add("thread " + t + " round " + round + ": " + name);
                    }
                }
                return bad;
            });
            assertEquals(List.of(), mismatches);
        }
    }

    @Test
    void weightsChangedWhileOthersReadAreNeverSeenHalfWritten() throws Exception {
        try (Model model = model()) {
            List<float[]> a = model.getWeights();
            model.fit(X, Y, epochs(1), verbose(0));
            List<float[]> b = model.getWeights();
            Path fileA = dir.resolve("a.safetensors");
            Path fileB = dir.resolve("b.safetensors");
            model.setWeights(a);
            model.saveWeights(fileA);
            Set<String> withA = Set.copyOf(answers(model, "a").values());
            model.setWeights(b);
            model.saveWeights(fileB);
            Set<String> withB = Set.copyOf(answers(model, "b").values());
            List<String> mismatches = runThreads(t -> {
                List<String> bad = new ArrayList<>();
                if (t == 0) {
                    for (int round = 0; round < 4 * ROUNDS; round++) {
                        switch (round % 4) {
                            case 0 -> model.setWeights(a);
                            case 1 -> model.setWeights(b);
                            case 2 -> io(() -> { model.loadWeights(fileA); return null; });
                            default -> io(() -> { model.loadWeights(fileB.toString()); return null; });
                        }
                    }
                    return bad;
                }
                Map<String, Function<Model, String>> calls = readers("t" + t);
                calls.remove("saveWeights");
                calls.remove("save+load");
                List<String> names = new ArrayList<>(calls.keySet());
                for (int round = 0; round < ROUNDS; round++) {
                    String name = names.get((t + round) % names.size());
                    String got = calls.get(name).apply(model);
                    if (!withA.contains(got) && !withB.contains(got)) {
                        bad.add("thread " + t + " round " + round + ": " + name + " saw neither weight set");
                    }
                }
                return bad;
            });
            assertEquals(List.of(), mismatches);
        }
    }

    @Test
    void aFitThatOtherThreadsReadFromEndsAsAFitAlone() throws Exception {
        List<float[]> alone;
        try (Model reference = model()) {
            reference.fit(X, Y, epochs(3), batchSize(16), verbose(0));
            alone = reference.getWeights();
        }
        try (Model model = model()) {
            Set<String> before = Set.copyOf(answers(model, "before").values());
            List<String> mismatches = runThreads(t -> {
                if (t == 0) {
                    model.fit(X, Y, epochs(3), batchSize(16), verbose(0));
                    return List.of();
                }
                List<String> seen = new ArrayList<>();
                Map<String, Function<Model, String>> calls = readers("t" + t);
                List<String> names = new ArrayList<>(calls.keySet());
                for (int round = 0; round < ROUNDS; round++) {
                    String name = names.get((t + round) % names.size());
                    String got = calls.get(name).apply(model);
                    if (!before.contains(got)) {
                        seen.add(name + "\u0000" + got); // must then be an answer after the fit
                    }
                }
                return seen;
            });
            assertWeightsEqual(alone, model.getWeights(), "weights after the fit that others read from");
            Map<String, String> after = answers(model, "after");
            for (String s : mismatches) {
                String name = s.substring(0, s.indexOf('\u0000'));
                assertEquals(after.get(name), s.substring(s.indexOf('\u0000') + 1), name + " during the fit");
            }
        }
    }

    @Test
    void callbacksThatCallBackIntoTheModelLeaveTheFitAsItWouldBe() {
        List<float[]> alone;
        History plain;
        try (Model reference = model()) {
            plain = reference.fit(X, Y, epochs(2), batchSize(32), verbose(0));
            alone = reference.getWeights();
        }
        try (Model model = model()) {
            Map<String, Function<Model, String>> calls = readers("callback");
            List<String> names = new ArrayList<>(calls.keySet());
            List<String> called = new ArrayList<>();
            LambdaCallback everything = LambdaCallback.builder()
                    .onBatchEnd((batch, logs) -> {
                        String name = names.get(batch % names.size());
                        calls.get(name).apply(model);
                        model.setLearningRate(model.learningRate());
                        called.add(name);
                    })
                    .onEpochEnd((epoch, logs) -> names.forEach(n -> calls.get(n).apply(model)))
                    .build();
            History h = model.fit(X, Y, epochs(2), batchSize(32), verbose(0), callbacks(everything));
            assertEquals(20, called.size());
            assertWeightsEqual(alone, model.getWeights(), "weights after a fit whose callbacks called back");
            assertEquals(plain.history(), h.history());
        }
    }

    @Test
    void aCallbackMayNotFitOrCloseTheModelItIsCalledFrom() {
        try (Model model = model()) {
            for (String call : List.of("fit", "close")) {
                LambdaCallback nested = LambdaCallback.builder().onBatchEnd((batch, logs) -> {
                    if (call.equals("fit")) {
                        model.fit(X, Y, verbose(0));
                    } else {
                        model.close();
                    }
                }).build();
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> model.fit(X, Y, verbose(0), callbacks(nested)));
                assertEquals(call + "() was called from inside fit (from a callback); call model.stopTraining() there"
                        + " instead, and " + call + " after fit returns", e.getMessage());
            }
            assertTrue(!model.isClosed());
            model.fit(X, Y, verbose(0)); // still usable
        }
    }

    @Test
    void stopTrainingFromAnotherThreadDoesNotWaitForTheFit() throws Exception {
        try (Model model = model()) {
            CountDownLatch running = new CountDownLatch(1);
            LambdaCallback signal = LambdaCallback.builder().onBatchBegin((b, logs) -> running.countDown()).build();
            ExecutorService pool = Executors.newSingleThreadExecutor();
            Future<History> fit = pool.submit(() -> model.fit(X, Y, epochs(10_000), batchSize(8), verbose(0),
                    callbacks(signal)));
            running.await();
            model.stopTraining();
            History h = fit.get();
            pool.shutdown();
            assertTrue(h.epoch().size() < 10_000, h.epoch().size() + " epochs");
        }
    }

    @Test
    void aClosedModelRefusesStopTraining() {
        Model model = model();
        model.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, model::stopTraining);
        assertEquals("this model is closed; its weights were freed by close()", e.getMessage());
        assertThrows(IllegalStateException.class, model::isStopTrainingRequested);
    }

    private Map<String, String> answers(Model model, String thread) {
        Map<String, String> out = new LinkedHashMap<>();
        readers(thread).forEach((name, call) -> out.put(name, call.apply(model)));
        return out;
    }

    /** Runs {@code body(t)} on THREADS threads released together; returns all their lists, joined. */
    private static List<String> runThreads(Function<Integer, List<String>> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<List<String>>> results = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            results.add(pool.submit(() -> {
                start.await();
                return body.apply(thread);
            }));
        }
        start.countDown();
        List<String> all = new ArrayList<>();
        for (Future<List<String>> f : results) {
            all.addAll(f.get());
        }
        pool.shutdown();
        return all;
    }

    private static void assertWeightsEqual(List<float[]> expected, List<float[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            assertTrue(Arrays.equals(expected.get(i), actual.get(i)), what + ": weight " + i + " differs");
        }
    }

    private interface IoCall<T> {
        T run() throws IOException;
    }

    private static <T> T io(IoCall<T> call) {
        try {
            return call.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
