package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExamplesTest {
    @TempDir
    Path dir;

    @Test
    void xorIsLearned() {
        Kiln.setSeed(42);
        ExampleResult r = XorExample.run(300, 4);
        assertEquals(1.0, r.testScores().get("accuracy"), "all four XOR cases right: " + r.testScores());
    }

    @Test
    void functionalModelsLearnFashionMnist() {
        Kiln.setSeed(42);
        ExampleResult r = FunctionalExample.run(1, 128);
        // One epoch of the plain 784-128-10 MLP reaches about 0.82; both graphs must do as well.
        assertTrue(r.testScores().get("accuracy") > 0.8, "residual MLP " + r.testScores());
        assertTrue(r.testScores().get("two_input_accuracy") > 0.8, "two inputs " + r.testScores());
        assertTrue(r.testScores().get("kind_accuracy") > 0.8, "two outputs " + r.testScores());
        // Footwear or not is the easier question: sandals, sneakers and boots look alike.
        assertTrue(r.testScores().get("footwear_accuracy") > 0.95, "two outputs " + r.testScores());
    }

    @Test
    void regressionFindsTheLinearTarget() {
        Kiln.setSeed(42);
        ExampleResult r = RegressionExample.run(20, 32);
        // The noise has variance 0.01; a fitted line should leave little more than that.
        assertTrue(r.testScores().get("loss") < 0.03, "test mse " + r.testScores());
    }

    @Test
    void binaryClassifierComesCloseToTheBestPossibleAccuracy() {
        Kiln.setSeed(42);
        ExampleResult r = BinaryClassificationExample.run(10, 32);
        double accuracy = r.testScores().get("accuracy");
        double best = (Double) r.extras().get("best_possible_accuracy");
        double majority = (Double) r.extras().get("majority_class_accuracy");
        assertTrue(best > majority + 0.05, "the features carry signal: best " + best + ", majority " + majority);
        assertTrue(accuracy > majority + 0.03, "beats the majority class: " + accuracy + " vs " + majority);
        assertTrue(accuracy > best - 0.03, "within 3 points of the best possible " + best + ": " + accuracy);
    }

    @Test
    void classWeightsCatchMoreOfTheRareClass() {
        Kiln.setSeed(42);
        ExampleResult r = ImbalancedExample.run(10, 64);
        double recall = r.testScores().get("recall");
        double unweighted = (Double) r.extras().get("unweighted_recall");
        assertTrue(recall > unweighted + 0.2, "weighted recall " + recall + " vs unweighted " + unweighted);
        assertTrue((Double) r.extras().get("unweighted_accuracy") > r.testScores().get("accuracy"),
                "the price: more false alarms, lower accuracy " + r.testScores() + " " + r.extras());
    }

    @Test
    void anAsymmetricLossWrittenWithOpsFallsShortLessAndCostsLess() {
        Kiln.setSeed(42);
        ExampleResult r = CustomLossExample.run(20, 64);
        double shortRate = r.testScores().get("short_rate");
        double mseShortRate = (Double) r.extras().get("mse_short_rate");
        assertTrue(mseShortRate > 0.35 && shortRate < mseShortRate - 0.1, "short_rate " + shortRate + " vs mse "
                + mseShortRate);
        assertTrue((Double) r.extras().get("asymmetric_cost") < (Double) r.extras().get("mse_cost"), r.extras()
                .toString());
        assertEquals(true, r.extras().get("reloaded_evaluates_the_same"));
    }

    @Test
    void balancedWeightsMakeBothClassesWeighTheSame() {
        Map<Integer, Double> w = ImbalancedExample.balancedWeights(new int[] {0, 0, 0, 1});
        assertEquals(4 / 6.0, w.get(0), 1e-12);
        assertEquals(2.0, w.get(1), 1e-12);
        assertEquals(3 * w.get(0), 1 * w.get(1), 1e-12);
    }

    @Test
    void standardisationUsesTheGivenStatistics() {
        float[][] x = {{1, 10}, {3, 10}};
        double[][] ms = BinaryClassificationExample.meanAndStd(x);
        assertEquals(2.0, ms[0][0], 1e-12);
        assertEquals(1.0, ms[1][0], 1e-12);
        assertEquals(1.0, ms[1][1], 0.0, "a constant column is not divided by zero");
        float[][] s = BinaryClassificationExample.standardised(x, ms);
        assertEquals(-1f, s[0][0]);
        assertEquals(1f, s[1][0]);
        assertEquals(0f, s[0][1]);
    }

    @Test
    void streamingTrainsFromMemoryMappedFiles() {
        Kiln.setSeed(42);
        ExampleResult r = StreamingExample.run(2, 128, 20_000);
        // Four Gaussian classes whose centres lie about 4 noise deviations apart: well separable.
        assertTrue(r.testScores().get("accuracy") > 0.9, "validation accuracy " + r.testScores());
        assertTrue((Double) r.extras().get("train_on_batch_loss") < 0.5, "trainOnBatch goes on training: " + r.extras());
    }

    @Test
    void earlyStoppingStopsAnOverfittingRunAndKeepsTheBestEpoch() {
        Kiln.setSeed(42);
        Path plot = dir.resolve("history.png");
        ExampleResult r = EarlyStoppingExample.run(60, 64, 400, plot);
        int ran = (Integer) r.extras().get("epochs_run");
        int best = (Integer) r.extras().get("best_epoch");
        assertTrue(ran < 60, "stopped early: ran " + ran);
        assertEquals(ran - 2, best, "patience 2: the best epoch is two before the last (1-based " + best + ")");
        assertEquals((Double) r.extras().get("best_val_loss"), (Double) r.extras().get("restored_val_loss"), 0.0,
                "the best epoch's weights are back");
        assertTrue(Files.isRegularFile(plot), "the history plot is written");
    }

    @Test
    void checkpointResumeEndsOnTheUninterruptedWeights() {
        ExampleResult r = CheckpointResumeExample.run(4, 64, 500, 7, dir);
        assertEquals(true, r.extras().get("resumed_identical"));
        assertEquals(2, r.extras().get("resumed_from_epoch"));
        for (int epoch = 1; epoch <= 2; epoch++) {
            assertTrue(Files.isRegularFile(dir.resolve("fashion-0" + epoch + ".kiln")), "checkpoint of epoch " + epoch);
        }
        assertTrue(r.testScores().get("accuracy") > 0.5, "it learned something: " + r.testScores());
    }

    @Test
    void aKerasTrainedModelScoresAsInKerasAndIsSavedForKeras() throws Exception {
        Kiln.setSeed(42);
        Path saved = dir.resolve("fashion_mlp_kiln.keras");
        ExampleResult r = KerasModelExample.run(1, 128, saved);
        assertEquals((Double) r.extras().get("keras_test_accuracy"), (Double) r.extras().get("loaded_test_accuracy"),
                2e-4, "Kiln scores the Keras model as Keras did (at most two of 10,000 images on an argmax tie)");
        assertTrue((Double) r.extras().get("largest_prediction_difference") <= 1e-5, r.extras().toString());
        assertTrue(r.testScores().get("accuracy") > 0.8, "training on kept it good: " + r.testScores());
        try (dev.kiln.Model again = dev.kiln.Model.load(saved)) {
            assertEquals(0.8, again.evaluate(dev.kiln.Datasets.fashionMnist().xTest(),
                    dev.kiln.Datasets.fashionMnist().yTest()).get("accuracy"), 0.2);
        }
    }

    @Test
    void fineTuningKeepsFrozenWeightsAndMovesThemOnceUnfrozen() {
        Kiln.setSeed(42);
        ExampleResult r = FineTuneExample.run(1, 256);
        assertEquals(true, r.extras().get("frozen_unchanged"));
        assertEquals(true, r.extras().get("unfrozen_moved"));
        assertTrue((Double) r.extras().get("base_test_accuracy") > 0.75, r.extras().toString());
        assertTrue((Double) r.extras().get("head_test_accuracy") > 0.9, "footwear is easy on learned features: "
                + r.extras());
        assertTrue(r.testScores().get("accuracy") > 0.9, r.testScores().toString());
    }

    @Test
    void newDemosParseWithTheirOwnDefaults() {
        assertEquals(100, DemoOptions.parse(new String[] {"--model", "early-stopping"}).epochs());
        assertEquals(4, DemoOptions.parse(new String[] {"--model", "checkpoint"}).epochs());
        assertEquals(3, DemoOptions.parse(new String[] {"--model", "streaming"}).epochs());
        String json = Demo.json(new DemoOptions("checkpoint", 4, 128, 1, 42), new ExampleResult(Map.of("loss", 0.5),
                1.0, 100, 50, java.util.List.of(0.5, 0.5), Map.of("resumed_identical", true, "best_epoch", 3)));
        assertTrue(json.contains("\"resumed_identical\":true"), json);
        assertTrue(json.contains("\"best_epoch\":3.00000"), json);
        assertTrue(json.startsWith("{") && json.endsWith("}"));
    }

    @Test
    void demoOptionsParseAndReject() {
        DemoOptions o = DemoOptions.parse(new String[] {"--model", "xor", "--epochs", "3", "--threads", "1"});
        assertEquals("xor", o.model());
        assertEquals(3, o.epochs());
        assertEquals(4, o.batch());
        assertEquals(1, o.threads());
        assertEquals(128, DemoOptions.parse(new String[0]).batch());
        assertThrows(UsageException.class, () -> DemoOptions.parse(new String[] {"--model", "mnist3d"}));
        assertThrows(UsageException.class, () -> DemoOptions.parse(new String[] {"--batch", "0"}));
        assertThrows(UsageException.class, () -> DemoOptions.parse(new String[] {"--epochs"}));
    }

    @Test
    void demoJsonHasTheRequiredKeys() {
        String json = Demo.json(new DemoOptions("fashion", 5, 128, 2, 42),
                new ExampleResult(Map.of("loss", 0.35, "accuracy", 0.87), 10.0, 270_000, 54_000, java.util.List.of(4.0, 1.0, 2.0, 1.5)));
        for (String key : new String[] {"\"test_accuracy\":", "\"test_loss\":", "\"epochs\":5", "\"train_seconds\":",
                "\"samples_per_second\":"}) {
            assertTrue(json.contains(key), key + " in " + json);
        }
        assertTrue(json.startsWith("{") && json.endsWith("}"));
        assertTrue(json.contains("\"steady_samples_per_second\":36000.0"), "54,000 rows / median(1, 2, 1.5) s: " + json);
    }
}
