package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.Callback;
import dev.kiln.callbacks.FitParams;
import dev.kiln.callbacks.LambdaCallback;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The hooks of fit: Keras' order, the logs each one sees, the stop request, and failures inside a hook. */
class CallbacksTest {
    private static final float[][] X = {{1, 0}, {0, 1}, {1, 1}, {0, 0}, {0.5f, 0.5f}};
    private static final int[] Y = {1, 1, 0, 0, 1};

    private static Model model() {
        return Sequential.of(Input(2), Dense(4, "tanh"), Dense(2, "softmax"))
                .compile("sgd", "sparse_categorical_crossentropy", "accuracy");
    }

    /** Writes every call into a list, with the logs' keys where there are any. */
    private static final class Recorder implements Callback {
        final List<String> events = new ArrayList<>();
        final String name;
        Model model;
        FitParams params;

        Recorder(String name) {
            this.name = name;
        }

        private void add(String event, Map<String, Double> logs) {
            events.add(name + ":" + event + (logs.isEmpty() ? "" : " " + new TreeSet<>(logs.keySet())));
        }

        @Override
        public void setModel(Model model) {
            this.model = model;
            events.add(name + ":setModel");
        }

        @Override
        public void setParams(FitParams params) {
            this.params = params;
            events.add(name + ":setParams");
        }

        @Override
        public void onTrainBegin(Map<String, Double> logs) {
            add("trainBegin", logs);
        }

        @Override
        public void onTrainEnd(Map<String, Double> logs) {
            add("trainEnd", logs);
        }

        @Override
        public void onEpochBegin(int epoch, Map<String, Double> logs) {
            add("epochBegin " + epoch, logs);
        }

        @Override
        public void onEpochEnd(int epoch, Map<String, Double> logs) {
            add("epochEnd " + epoch, logs);
        }

        @Override
        public void onBatchBegin(int batch, Map<String, Double> logs) {
            add("batchBegin " + batch, logs);
        }

        @Override
        public void onBatchEnd(int batch, Map<String, Double> logs) {
            add("batchEnd " + batch, logs);
        }
    }

    @Test
    void hooksComeInKerasOrderWithTheLogsKnownAtEachPoint() {
        try (Model model = model()) {
            Recorder r = new Recorder("r");
            model.fit(X, Y, epochs(2), batchSize(2), shuffle(false), verbose(0),
                    validationData(new float[][] {{1, 0}}, new int[] {1}), callbacks(r));
            assertSame(model, r.model);
            assertEquals(new FitParams(2, 3, 0, 0), r.params);
            List<String> expected = new ArrayList<>(List.of("r:setModel", "r:setParams", "r:trainBegin"));
            for (int epoch = 0; epoch < 2; epoch++) {
                expected.add("r:epochBegin " + epoch);
                for (int batch = 0; batch < 3; batch++) {
                    expected.add("r:batchBegin " + batch);
                    expected.add("r:batchEnd " + batch + " [accuracy, loss]");
                }
                expected.add("r:epochEnd " + epoch + " [accuracy, loss, val_accuracy, val_loss]");
            }
            expected.add("r:trainEnd [accuracy, loss, val_accuracy, val_loss]");
            assertEquals(expected, r.events);
        }
    }

    @Test
    void callbacksRunInTheOrderGivenAndBeforeTheHistory() {
        try (Model model = model()) {
            List<String> seen = new ArrayList<>();
            Callback first = LambdaCallback.builder().onEpochEnd((e, logs) -> {
                seen.add("first");
                logs.put("custom", 42.0);
            }).build();
            Callback second = LambdaCallback.builder().onEpochEnd((e, logs) -> {
                seen.add("second saw custom=" + logs.get("custom"));
            }).build();
            History h = model.fit(X, Y, epochs(1), verbose(0), callbacks(first, second));
            assertEquals(List.of("first", "second saw custom=42.0"), seen);
            assertEquals(List.of(42.0), h.history().get("custom"), "the History records what the callbacks left");
        }
    }

    @Test
    void batchLogsHoldTheRunningMeansAndTheLastOneIsTheEpochMean() {
        try (Model model = model()) {
            List<Double> batchLoss = new ArrayList<>();
            List<Double> epochLoss = new ArrayList<>();
            Callback c = LambdaCallback.builder()
                    .onBatchEnd((b, logs) -> batchLoss.add(logs.get("loss")))
                    .onEpochEnd((e, logs) -> epochLoss.add(logs.get("loss")))
                    .build();
            model.fit(X, Y, epochs(1), batchSize(2), verbose(0), callbacks(c));
            assertEquals(3, batchLoss.size());
            assertEquals(epochLoss.get(0), batchLoss.get(2), 0.0);
            assertTrue(batchLoss.stream().allMatch(Double::isFinite));
        }
    }

    @Test
    void batchLogsAreReadOnly() {
        try (Model model = model()) {
            Callback c = LambdaCallback.builder().onBatchEnd((b, logs) -> logs.put("x", 1.0)).build();
            assertThrows(UnsupportedOperationException.class, () -> model.fit(X, Y, verbose(0), callbacks(c)));
        }
    }

    @Test
    void stopTrainingEndsTheEpochAfterTheCurrentBatchThenTheRun() {
        try (Model model = model()) {
            Recorder r = new Recorder("r");
            Callback stopper = LambdaCallback.builder().onBatchEnd((b, logs) -> {
                if (b == 1) {
                    model.stopTraining();
                }
            }).build();
            History h = model.fit(X, Y, epochs(5), batchSize(1), verbose(0), callbacks(stopper, r));
            assertEquals(List.of(0), h.epoch());
            assertEquals(2, model.iterations(), "two batches ran");
            assertTrue(r.events.contains("r:epochEnd 0 [accuracy, loss]"));
            assertEquals("r:trainEnd [accuracy, loss]", r.events.get(r.events.size() - 1));
            assertTrue(model.isStopTrainingRequested());
            // The next fit starts with the request cleared.
            model.fit(X, Y, epochs(1), verbose(0));
            assertFalse(model.isStopTrainingRequested());
            assertEquals(3, model.iterations(), "one more batch of all five rows");
        }
    }

    @Test
    void anExceptionInAHookEndsFit() {
        try (Model model = model()) {
            Callback failing = LambdaCallback.builder().onEpochBegin((e, logs) -> {
                throw new IllegalStateException("boom");
            }).build();
            var e = assertThrows(IllegalStateException.class, () -> model.fit(X, Y, verbose(0), callbacks(failing)));
            assertEquals("boom", e.getMessage());
            assertEquals(0, model.iterations());
        }
    }

    @Test
    void nullCallbacksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> callbacks((Callback) null));
        assertThrows(IllegalArgumentException.class, () -> callbacks((Callback[]) null));
        assertThrows(IllegalArgumentException.class, () -> LambdaCallback.builder().onEpochEnd(null));
        assertThrows(IllegalArgumentException.class, () -> FitOption.initialEpoch(-1));
    }
}
