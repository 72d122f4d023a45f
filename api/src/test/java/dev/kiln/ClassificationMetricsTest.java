package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Activation;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.metrics.AUC;
import dev.kiln.metrics.ConfusionMatrix;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.metrics.Precision;
import dev.kiln.metrics.Recall;
import dev.kiln.metrics.SparseTopKCategoricalAccuracy;
import dev.kiln.metrics.TopKCategoricalAccuracy;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Precision, recall, AUC, top-k accuracy and the confusion matrix against values computed by hand. The
 * model is the identity (an Input and a linear activation), so its outputs are exactly the x given.
 */
class ClassificationMetricsTest {
    // Binary: predicted positive (> 0.5) rows 0, 2, 4; true positives 0, 4; false positive 2; false negatives 3, 5.
    private static final float[][] BINARY_P = {{0.9f}, {0.2f}, {0.6f}, {0.4f}, {0.7f}, {0.1f}};
    private static final int[] BINARY_Y = {1, 0, 0, 1, 1, 1};

    private static final float[][] PROBS = {
        {0.7f, 0.2f, 0.1f}, {0.6f, 0.3f, 0.1f}, {0.2f, 0.7f, 0.1f}, {0.1f, 0.3f, 0.6f}, {0.3f, 0.3f, 0.4f}};
    private static final int[] LABELS = {0, 1, 1, 0, 2};

    private static Model identity(int width, String loss, Object... metrics) {
        // Names and Metric objects side by side: compile takes one kind, so resolve the names.
        Metric[] resolved = new Metric[metrics.length];
        for (int i = 0; i < metrics.length; i++) {
            resolved[i] = metrics[i] instanceof String name ? Metrics.resolve(name) : (Metric) metrics[i];
        }
        return Sequential.of(Input(width), Activation("linear")).compile("sgd", loss, resolved);
    }

    private static float[][] oneHot(int[] labels, int classes) {
        float[][] y = new float[labels.length][classes];
        for (int i = 0; i < labels.length; i++) {
            y[i][labels[i]] = 1f;
        }
        return y;
    }

    @Test
    void binaryPrecisionAndRecallAtHalf() {
        try (Model m = identity(1, "binary_crossentropy", "precision", "recall", "accuracy")) {
            Map<String, Double> s = m.evaluate(BINARY_P, BINARY_Y);
            assertEquals(2.0 / 3, s.get("precision"), 1e-12);
            assertEquals(2.0 / 4, s.get("recall"), 1e-12);
            assertEquals(3.0 / 6, s.get("accuracy"), 1e-12);
        }
    }

    @Test
    void aThresholdMovesTheDecision() {
        try (Model m = identity(1, "binary_crossentropy", new Precision(0.65).named("p65"), new Recall(0.15).named("r15"))) {
            Map<String, Double> s = m.evaluate(BINARY_P, BINARY_Y);
            assertEquals(2.0 / 2, s.get("p65"), 1e-12);   // 0.9 and 0.7, both positives
            assertEquals(3.0 / 4, s.get("r15"), 1e-12);   // 0.9, 0.4, 0.7 found; 0.1 missed
        }
    }

    @Test
    void precisionOverAnEpochComesFromSummedCountsNotFromAMeanOfBatches() {
        float[][] p = {{0.9f}, {0.8f}, {0.7f}, {0.1f}, {0.6f}, {0.2f}};
        int[] y = {1, 1, 0, 0, 1, 1};
        // Epoch: predicted positive rows 0, 1, 2, 4 → TP 3, FP 1; positives 0, 1, 4, 5 → FN 1.
        // Batches of two: a mean of per-batch values would give precision (2/2 + 0/1 + 1/1) / 3 = 2/3 and
        // recall (2/2 + 0 (no positive) + 1/2) / 3 = 1/2.
        try (Model m = identity(1, "binary_crossentropy", "precision", "recall", "auc")) {
            History h = m.fit(p, y, epochs(1), batchSize(2), shuffle(false), verbose(0));
            assertEquals(3.0 / 4, h.history().get("precision").get(0), 1e-12);
            assertEquals(3.0 / 4, h.history().get("recall").get(0), 1e-12);
            Map<String, Double> whole = m.evaluate(p, y);
            assertEquals(whole.get("auc"), h.history().get("auc").get(0), 1e-12);
        }
    }

    @Test
    void aucIsTheTrapezoidalRocAreaOfTheSklearnExample() {
        float[][] p = {{0.1f}, {0.4f}, {0.35f}, {0.8f}};
        int[] y = {0, 0, 1, 1};
        try (Model m = identity(1, "binary_crossentropy", "auc")) {
            assertEquals(0.75, m.evaluate(p, y).get("auc"), 1e-12);
        }
    }

    @Test
    void aucInterpolatesBetweenKerasThresholds() {
        // Thresholds −ε, 0.5, 1+ε. At −ε: recall 1, fpr 1; at 0.5: TP 2 (0.7, 0.9), FP 1 (0.6) → recall 2/3, fpr 1/2;
        // at 1+ε: 0, 0. Area = (1 − 1/2)(1 + 2/3)/2 + (1/2 − 0)(2/3 + 0)/2 = 5/12 + 1/6 = 7/12.
        float[][] p = {{0.2f}, {0.7f}, {0.6f}, {0.3f}, {0.9f}};
        int[] y = {0, 1, 0, 1, 1};
        try (Model m = identity(1, "binary_crossentropy", new AUC(3))) {
            assertEquals(7.0 / 12, m.evaluate(p, y).get("auc"), 1e-12);
        }
        // Two tied scores, one of each class: the diagonal, 0.5.
        try (Model m = identity(1, "binary_crossentropy", "auc")) {
            assertEquals(0.5, m.evaluate(new float[][] {{0.5f}, {0.5f}}, new int[] {0, 1}).get("auc"), 1e-12);
        }
    }

    @Test
    void multiClassPrecisionAndRecallWithSparseLabelsReadTheLabelsAsOneHot() {
        try (Model m = identity(3, "sparse_categorical_crossentropy",
                new Precision().named("micro_p"), new Recall().named("micro_r"),
                new Precision().topK(1).named("top1_p"), new Recall().topK(1).named("top1_r"),
                new Precision().classId(0).named("p0"), new Recall().classId(0).named("r0"),
                new Precision().classId(1).named("p1"), new Recall().classId(1).named("r1"))) {
            Map<String, Double> s = m.evaluate(PROBS, LABELS);
            assertEquals(2.0 / 4, s.get("micro_p"), 1e-12);   // > 0.5: r0c0 ✓, r1c0 ✗, r2c1 ✓, r3c2 ✗
            assertEquals(2.0 / 5, s.get("micro_r"), 1e-12);
            assertEquals(3.0 / 5, s.get("top1_p"), 1e-12);    // arg-max right in rows 0, 2, 4
            assertEquals(3.0 / 5, s.get("top1_r"), 1e-12);
            assertEquals(1.0 / 2, s.get("p0"), 1e-12);
            assertEquals(1.0 / 2, s.get("r0"), 1e-12);
            assertEquals(1.0, s.get("p1"), 1e-12);
            assertEquals(1.0 / 2, s.get("r1"), 1e-12);
        }
        // The same data one-hot encoded gives the same values, as Keras computes them.
        try (Model m = identity(3, "categorical_crossentropy", new Precision().topK(1), new Recall().classId(1))) {
            Map<String, Double> s = m.evaluate(PROBS, oneHot(LABELS, 3));
            assertEquals(3.0 / 5, s.get("precision"), 1e-12);
            assertEquals(1.0 / 2, s.get("recall"), 1e-12);
        }
    }

    @Test
    void topKAccuracyCountsTiesWithTheKthAsInside() {
        float[][] p = {{0.1f, 0.2f, 0.3f, 0.4f}, {0.4f, 0.3f, 0.2f, 0.1f}, {0.25f, 0.25f, 0.25f, 0.25f},
            {0.5f, 0.2f, 0.2f, 0.1f}};
        int[] y = {2, 2, 3, 1};
        try (Model m = identity(4, "sparse_categorical_crossentropy", new SparseTopKCategoricalAccuracy(2).named("top2"),
                new SparseTopKCategoricalAccuracy(1).named("top1"), "sparse_top_k_categorical_accuracy")) {
            Map<String, Double> s = m.evaluate(p, y);
            assertEquals(0.75, s.get("top2"), 1e-12);
            assertEquals(0.25, s.get("top1"), 1e-12);
            assertEquals(1.0, s.get("sparse_top_k_categorical_accuracy"), 1e-12); // k = 5 > 4 classes
        }
        try (Model m = identity(4, "categorical_crossentropy", new TopKCategoricalAccuracy(2))) {
            assertEquals(0.75, m.evaluate(p, oneHot(y, 4)).get("top_k_categorical_accuracy"), 1e-12);
        }
    }

    @Test
    void namesResolveToTheClassesWithKerasDefaults() {
        assertInstanceOf(Precision.class, Metrics.resolve("precision"));
        assertInstanceOf(Recall.class, Metrics.resolve("recall"));
        assertInstanceOf(AUC.class, Metrics.resolve("auc"));
        assertEquals(200, ((AUC) Metrics.resolve("auc")).numThresholds());
        assertEquals(5, ((TopKCategoricalAccuracy) Metrics.resolve("top_k_categorical_accuracy")).k());
        assertEquals(5, ((SparseTopKCategoricalAccuracy) Metrics.resolve("sparse_top_k_categorical_accuracy")).k());
        assertTrue(Metrics.names().contains("auc"));
    }

    @Test
    void badOptionsFailNamingTheValue() {
        var e = assertThrows(IllegalArgumentException.class, () -> identity(3, "sparse_categorical_crossentropy",
                new Precision().classId(3)));
        assertTrue(e.getMessage().contains("class_id 3"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Precision(1.5));
        assertThrows(IllegalArgumentException.class, () -> new Recall().topK(0));
        assertThrows(IllegalArgumentException.class, () -> new AUC(1));
        var twice = assertThrows(IllegalArgumentException.class, () -> identity(3, "sparse_categorical_crossentropy",
                new Precision().classId(0), new Precision().classId(1)));
        assertTrue(twice.getMessage().contains("named"), twice.getMessage());
        var wrongTargets = assertThrows(IllegalArgumentException.class, () -> identity(3, "categorical_crossentropy",
                "sparse_top_k_categorical_accuracy"));
        assertTrue(wrongTargets.getMessage().contains("top_k_categorical_accuracy"), wrongTargets.getMessage());
    }

    @Test
    void evaluateDetailedGivesTheConfusionMatrixAndPerClassCounts() {
        try (Model m = identity(3, "sparse_categorical_crossentropy", "accuracy")) {
            Evaluation e = m.evaluateDetailed(PROBS, LABELS);
            assertEquals(m.evaluate(PROBS, LABELS), e.scores());
            ConfusionMatrix cm = e.confusionMatrix();
            assertArrayEquals(new long[][] {{1, 0, 1}, {1, 1, 0}, {0, 0, 1}}, cm.counts());
            assertArrayEquals(new long[] {1, 1, 1}, new long[] {cm.truePositives(0), cm.truePositives(1), cm.truePositives(2)});
            assertArrayEquals(new long[] {1, 0, 1}, new long[] {cm.falsePositives(0), cm.falsePositives(1), cm.falsePositives(2)});
            assertArrayEquals(new long[] {1, 1, 0}, new long[] {cm.falseNegatives(0), cm.falseNegatives(1), cm.falseNegatives(2)});
            assertArrayEquals(new long[] {2, 2, 1}, new long[] {cm.support(0), cm.support(1), cm.support(2)});
            assertEquals(0.5, cm.precision(0), 1e-12);
            assertEquals(0.5, cm.recall(1), 1e-12);
            assertEquals(2 * 0.5 * 1.0 / 1.5, cm.f1(2), 1e-12);
            assertEquals(0.6, cm.accuracy(), 1e-12);
            assertTrue(e.toString().contains("f1-score"), e.toString());
        }
        // One sigmoid output: two classes split at 0.5; one-hot float targets give the same matrix as labels.
        try (Model m = identity(1, "binary_crossentropy")) {
            ConfusionMatrix cm = m.evaluateDetailed(BINARY_P, BINARY_Y).confusionMatrix();
            assertArrayEquals(new long[][] {{1, 1}, {2, 2}}, cm.counts());
        }
        try (Model m = identity(3, "categorical_crossentropy")) {
            assertArrayEquals(new long[][] {{1, 0, 1}, {1, 1, 0}, {0, 0, 1}},
                    m.evaluateDetailed(PROBS, oneHot(LABELS, 3)).confusionMatrix().counts());
        }
    }
}
