package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingBenchTest {
    @Test
    void optionsHaveTheIssueDefaults() {
        BenchOptions o = BenchOptions.parse(new String[0]);
        assertEquals(128, o.batch());
        assertEquals(5, o.epochs());
        assertEquals(List.of(128), o.hidden());
        assertEquals(Runtime.getRuntime().availableProcessors(), o.threads());
    }

    @Test
    void optionsParseEveryFlag() {
        BenchOptions o = BenchOptions.parse(new String[] {"--batch", "32", "--threads", "1", "--epochs", "2",
                "--hidden", "256,128", "--seed", "7"});
        assertEquals(new BenchOptions(32, 1, 2, List.of(256, 128), 7), o);
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
    void resultTakesMediansAfterTheFirstEpochAndTheFirstPredictPass() {
        BenchOptions o = new BenchOptions(128, 2, 4, List.of(128), 42);
        // Predict passes: a cold first one, then the last 3 give the steady speed.
        BenchResult r = new BenchResult(o, 2, 60_000, List.of(9.0, 1.0, 3.0, 2.0), 15.5, 16.25, 10_000,
                List.of(0.5, 0.4, 0.1, 0.2, 0.3), 3, 0.875, 0.35, 409_088);
        assertEquals(30_000, r.trainSamplesPerSecond(), 1e-9, "60,000 / median(1, 3, 2) s");
        assertEquals(10_000 / 0.2, r.inferenceSamplesPerSecond(), 1e-9, "10,000 / median(0.1, 0.2, 0.3) s");
        assertEquals(409_088.0 * 30_000 / 1e9, r.gflops(), 1e-12);
        String json = r.json();
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), json);
        for (String key : List.of("\"train_samples_per_second\":30000.0", "\"inference_samples_per_second\":50000.0",
                "\"test_accuracy\":0.875", "\"threads\":2", "\"batch\":128", "\"epochs\":4", "\"hidden\":[128]",
                "\"gflops\":12.27", "\"flops_per_sample\":409088", "\"first_epoch_seconds\":9.00000",
                "\"fit_seconds\":15.5000", "\"process_seconds\":16.2500", "\"first_predict_seconds\":0.500000",
                "\"predict_seconds\":[0.500000, 0.400000, 0.100000, 0.200000, 0.300000]")) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        assertTrue(r.summary().contains("first epoch 9.000s (4.5x a steady one), whole fit 15.500s, JVM start to end"
                + " of fit 16.250s"), r.summary());
        assertTrue(r.summary().contains("first pass 500.0 ms (2.5x steady)"), r.summary());
        BenchResult one = new BenchResult(new BenchOptions(128, 2, 1, List.of(128), 42), 2, 60_000, List.of(4.0), 4.5,
                5.0, 10_000, List.of(0.5), 5, 0.8, 0.4, 409_088);
        assertEquals(15_000, one.trainSamplesPerSecond(), 1e-9, "one epoch: that epoch");
        assertEquals(20_000, one.inferenceSamplesPerSecond(), 1e-9, "one pass: that pass");
    }

    @Test
    void argmaxTakesTheFirstLargest() {
        assertArrayEquals(new int[] {1, 0, 2}, TrainingBench.argmaxRows(new float[][] {{0, 3, 1}, {5, 5, 1}, {-3, -2, -1}}));
        assertEquals(0.5, TrainingBench.accuracy(new int[] {1, 2, 3, 4}, new int[] {1, 0, 3, 0}));
        assertEquals("784-256-128-10", TrainingBench.architecture(List.of(256, 128)));
    }
}
