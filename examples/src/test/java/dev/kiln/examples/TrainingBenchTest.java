package dev.kiln.examples;

import static dev.kiln.Layers.Dense;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Shape;
import dev.kiln.layers.Layer;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingBenchTest {
    @Test
    void optionsHaveTheIssueDefaults() {
        BenchOptions o = BenchOptions.parse(new String[0]);
        assertEquals(128, o.batch());
        assertEquals(5, o.epochs());
        assertEquals("mlp", o.model());
        assertEquals(List.of(128), o.hidden());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.threads());
    }

    @Test
    void optionsParseEveryFlag() {
        BenchOptions o = BenchOptions.parse(new String[] {"--batch", "32", "--threads", "1", "--epochs", "2",
                "--hidden", "256,128", "--seed", "7"});
        assertEquals(new BenchOptions("mlp", 32, 1, 2, List.of(256, 128), 7), o);
        assertEquals(new BenchOptions("cnn", 64, 2, 1, List.of(), 42),
                BenchOptions.parse(new String[] {"--model", "CNN", "--batch", "64", "--threads", "2", "--epochs", "1"}));
        assertEquals(List.of(128), BenchOptions.parse(new String[] {"--model", "mlp"}).hidden());
    }

    @Test
    void theConvNetRefusesHiddenWidths() {
        // In either order: the widths would be silently ignored otherwise.
        for (String[] args : List.of(new String[] {"--model", "cnn", "--hidden", "128"},
                new String[] {"--hidden", "256,128", "--model", "cnn"})) {
            UsageException e = assertThrows(UsageException.class, () -> BenchOptions.parse(args), String.join(" ", args));
            assertTrue(e.getMessage().contains("--hidden") && e.getMessage().contains("cnn"), e.getMessage());
        }
    }

    @Test
    void badOptionsAreUsageErrors() {
        for (String[] args : List.of(new String[] {"--batch", "0"}, new String[] {"--threads", "two"},
                new String[] {"--epochs", "0"}, new String[] {"--hidden", "256,"}, new String[] {"--hidden", "0"},
                new String[] {"--hidden", ""}, new String[] {"--model", "xor"}, new String[] {"--batch"})) {
            UsageException e = assertThrows(UsageException.class, () -> BenchOptions.parse(args), String.join(" ", args));
            assertTrue(e.getMessage().contains(args[0]), e.getMessage());
        }
        assertEquals(null, assertThrows(UsageException.class, () -> BenchOptions.parse(new String[] {"--help"}))
                .getMessage());
    }

    @Test
    void flopsMatchTheIssuesCount() {
        // Issue 3: forward 203 k + backward 206 k for 784-128-10.
        assertEquals(2L * (784 * 128 + 128 * 10) * 2 + 2L * 128 * 10, TrainingFlops.perSample(784, List.of(128), 10));
        assertEquals(409_088, TrainingFlops.perSample(784, List.of(128), 10));
        long products = 784 * 256 + 256 * 128 + 128 * 10;
        assertEquals(6 * products - 2L * 784 * 256, TrainingFlops.perSample(784, List.of(256, 128), 10));
        assertEquals(4L * 784 * 10, TrainingFlops.perSample(784, List.of(), 10), "a single layer has no input gradient");
    }

    @Test
    void convNetFlopsMatchTheHandCount() {
        long conv1 = 26L * 26 * 32 * 9 * 1 * 2;
        long conv2 = 11L * 11 * 64 * 9 * 32 * 2;
        long dense = 1600L * 10 * 2;
        assertEquals(389_376, conv1);
        assertEquals(4_460_544, conv2);
        assertEquals(4_881_920, conv1 + conv2 + dense);
        // Forward, weight gradients, input gradients of every layer but the first.
        assertEquals(14_256_384, 2 * (conv1 + conv2 + dense) + conv2 + dense);
        assertEquals(14_256_384, TrainingFlops.perSample(ConvNetExample.model().layers(), Shape.of(28, 28, 1)));
    }

    @Test
    void theLayerWalkCountsAnMlpAsTheMlpFormula() {
        List<Layer> mlp = List.of(Dense(256, "relu"), Dense(128, "relu"), Dense(10, "softmax"));
        assertEquals(TrainingFlops.perSample(784, List.of(256, 128), 10), TrainingFlops.perSample(mlp, Shape.of(784)));
        assertEquals(409_088, TrainingFlops.perSample(List.of(Dense(128, "relu"), Dense(10, "softmax")), Shape.of(784)));
    }

    @Test
    void resultTakesMediansAfterTheFirstEpochAndTheFirstPredictPass() {
        BenchOptions o = new BenchOptions("mlp", 128, 2, 4, List.of(128), 42);
        // Predict passes: a cold first one, then the last 3 give the steady speed.
        BenchResult r = new BenchResult(o, 2, 60_000, List.of(9.0, 1.0, 3.0, 2.0), 15.5, 16.25, 10_000,
                List.of(0.5, 0.4, 0.1, 0.2, 0.3), 3, 0.875, 0.35, 409_088);
        assertEquals(30_000, r.trainSamplesPerSecond(), 1e-9, "60,000 / median(1, 3, 2) s");
        assertEquals(10_000 / 0.2, r.inferenceSamplesPerSecond(), 1e-9, "10,000 / median(0.1, 0.2, 0.3) s");
        assertEquals(409_088.0 * 30_000 / 1e9, r.gflops(), 1e-12);
        String json = r.json();
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), json);
        for (String key : List.of("\"train_samples_per_second\":30000.0", "\"inference_samples_per_second\":50000.0",
                "\"test_accuracy\":0.875", "\"threads\":2", "\"batch\":128", "\"epochs\":4", "\"model\":\"mlp\"", "\"hidden\":[128]",
                "\"gflops\":12.27", "\"flops_per_sample\":409088", "\"first_epoch_seconds\":9.00000",
                "\"fit_seconds\":15.5000", "\"process_seconds\":16.2500", "\"first_predict_seconds\":0.500000",
                "\"predict_seconds\":[0.500000, 0.400000, 0.100000, 0.200000, 0.300000]")) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        assertTrue(r.summary().contains("first epoch 9.000s (4.5x a steady one), whole fit 15.500s, JVM start to end"
                + " of fit 16.250s"), r.summary());
        assertTrue(r.summary().contains("first pass 500.0 ms (2.5x steady)"), r.summary());
        BenchResult one = new BenchResult(new BenchOptions("mlp", 128, 2, 1, List.of(128), 42), 2, 60_000, List.of(4.0), 4.5,
                5.0, 10_000, List.of(0.5), 5, 0.8, 0.4, 409_088);
        assertEquals(15_000, one.trainSamplesPerSecond(), 1e-9, "one epoch: that epoch");
        assertEquals(20_000, one.inferenceSamplesPerSecond(), 1e-9, "one pass: that pass");
    }

    @Test
    void convNetJsonNamesTheModelAndItsFlops() {
        BenchResult r = new BenchResult(new BenchOptions("cnn", 128, 2, 2, List.of(), 42), 2, 60_000, List.of(30.0, 20.0),
                50.0, 51.0, 10_000, List.of(2.0, 1.0), 1, 0.88, 0.33, 14_256_384);
        String json = r.json();
        for (String key : List.of("\"model\":\"cnn\"", "\"hidden\":[]", "\"flops_per_sample\":14256384",
                "\"train_samples_per_second\":3000.00", "Conv2D")) {
            assertTrue(json.contains(key), key + " in " + json);
        }
    }

    @Test
    void argmaxTakesTheFirstLargest() {
        assertArrayEquals(new int[] {1, 0, 2}, TrainingBench.argmaxRows(new float[][] {{0, 3, 1}, {5, 5, 1}, {-3, -2, -1}}));
        assertEquals(0.5, TrainingBench.accuracy(new int[] {1, 2, 3, 4}, new int[] {1, 0, 3, 0}));
        assertEquals("784-256-128-10", TrainingBench.architecture(List.of(256, 128)));
        assertEquals("28x28x1-c32-p-c64-p-d10", TrainingBench.describe(ConvNetExample.model().layers()));
    }
}
