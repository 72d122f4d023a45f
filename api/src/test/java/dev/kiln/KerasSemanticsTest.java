package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.kiln.metrics.Metrics;
import dev.kiln.metrics.SparseTopKCategoricalAccuracy;
import dev.kiln.optimizers.Adagrad;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.AdamW;
import dev.kiln.optimizers.Optimizers;
import dev.kiln.optimizers.RMSprop;
import dev.kiln.optimizers.SGD;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Where the mathematics is fixed, Kiln must do exactly what a Keras user expects. */
class KerasSemanticsTest {
    private static final float[][] X = {{1f, 2f, -1f}, {0.5f, -1f, 2f}, {-2f, 0f, 1f}, {1.5f, 1f, 0f}};
    private static final float[][] Y = {{1f, 0f}, {0f, 2f}, {-1f, 1f}, {0.5f, 0.5f}};

    @Test
    void sgdStepOnMseMovesEachWeightByLearningRateTimesTheGradientOfTheMeanOverBatchAndOutputs() {
        double lr = 0.1;
        try (Model model = Sequential.of(Input(3), Dense(2)).compile(new SGD(lr), "mse")) {
            List<float[]> before = model.getWeights();
            float[] w = before.get(0);
            float[] b = before.get(1);
            // Hand-computed gradient of L = 1/(N·D) Σ (p − y)², p = x·W + b.
            int n = X.length;
            int d = 2;
            double[] gw = new double[6];
            double[] gb = new double[2];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    double p = b[j];
                    for (int k = 0; k < 3; k++) {
                        p += X[i][k] * w[k * d + j];
                    }
                    double dp = 2 * (p - Y[i][j]) / (n * d);
                    gb[j] += dp;
                    for (int k = 0; k < 3; k++) {
                        gw[k * d + j] += X[i][k] * dp;
                    }
                }
            }
            model.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            List<float[]> after = model.getWeights();
            for (int i = 0; i < 6; i++) {
                assertEquals(w[i] - lr * gw[i], after.get(0)[i], 1e-6, "kernel element " + i);
            }
            for (int j = 0; j < 2; j++) {
                assertEquals(b[j] - lr * gb[j], after.get(1)[j], 1e-6, "bias element " + j);
            }
        }
    }

    @Test
    void adamsFirstStepMovesEachWeightByAboutTheLearningRateTimesTheSignOfItsGradient() {
        try (Model model = Sequential.of(Input(3), Dense(2)).compile("adam", "mse")) {
            List<float[]> before = model.getWeights();
            model.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            List<float[]> after = model.getWeights();
            for (int p = 0; p < 2; p++) {
                for (int i = 0; i < before.get(p).length; i++) {
                    double moved = Math.abs(after.get(p)[i] - before.get(p)[i]);
                    assertEquals(1e-3, moved, 1e-5, "parameter " + p + " element " + i);
                }
            }
        }
    }

    @Test
    void optimizerDefaultsAreKeras() {
        Adam adam = assertInstanceOf(Adam.class, Optimizers.resolve("adam"));
        assertEquals(1e-3, adam.learningRate());
        assertEquals(0.9, adam.beta1());
        assertEquals(0.999, adam.beta2());
        assertEquals(1e-7, adam.epsilon());
        AdamW adamw = assertInstanceOf(AdamW.class, Optimizers.resolve("adamw"));
        assertEquals(0.004, adamw.weightDecay());
        assertEquals(1e-3, adamw.learningRate());
        SGD sgd = assertInstanceOf(SGD.class, Optimizers.resolve("sgd"));
        assertEquals(0.01, sgd.learningRate());
        assertEquals(0.0, sgd.momentum());
        RMSprop rms = assertInstanceOf(RMSprop.class, Optimizers.resolve("rmsprop"));
        assertEquals(1e-3, rms.learningRate());
        assertEquals(0.9, rms.rho());
        assertEquals(1e-7, rms.epsilon());
        Adagrad ada = assertInstanceOf(Adagrad.class, Optimizers.resolve("adagrad"));
        assertEquals(1e-3, ada.learningRate());
        assertEquals(0.1, ada.initialAccumulatorValue());
    }

    @Test
    void compileDefaultsToRmsprop() {
        try (Model model = Sequential.of(Dense(1)).compile("mse")) {
            assertInstanceOf(RMSprop.class, model.optimizer());
        }
    }

    @Test
    void fitDefaultsAreOneEpochOfBatch32AndTheLastBatchIsKept() {
        float[][] x = new float[100][2];
        float[][] y = new float[100][1];
        try (Model model = Sequential.of(Dense(1)).compile("sgd", "mse")) {
            History h = model.fit(x, y, verbose(0));
            assertEquals(1, h.epoch().size());
            assertEquals(4, model.iterations(), "100 rows in batches of 32: 32, 32, 32 and a last batch of 4");
        }
    }

    @Test
    void historyKeysComeSortedAsInKeras() {
        float[][] x = {{1f, 0f}, {0f, 1f}, {1f, 1f}, {0f, 0f}, {0.5f, 0.5f}};
        int[] y = {0, 1, 2, 0, 1};
        try (Model model = Sequential.of(Input(2), Dense(3, "softmax")).compile("adam", "sparse_categorical_crossentropy",
                Metrics.resolve("sparse_top_k_categorical_accuracy"), Metrics.resolve("accuracy"),
                new SparseTopKCategoricalAccuracy(1).named("zzz"))) {
            History h = model.fit(x, y, epochs(1), validationSplit(0.4), verbose(0));
            // Keras 3.15.1 gives these keys, in this order, for the same compile and fit.
            assertEquals(List.of("accuracy", "loss", "sparse_top_k_categorical_accuracy", "val_accuracy", "val_loss",
                    "val_sparse_top_k_categorical_accuracy", "val_zzz", "zzz"), List.copyOf(h.history().keySet()));
        }
    }

    @Test
    void validationSplitHoldsOutTheLastRowsBeforeShuffling() {
        Random r = new Random(3);
        float[][] x = new float[50][4];
        int[] y = new int[50];
        for (int i = 0; i < 50; i++) {
            for (int j = 0; j < 4; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            y[i] = r.nextInt(3);
        }
        try (Model model = Sequential.of(Dense(3, "softmax")).compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            History h = model.fit(x, y, epochs(2), batchSize(8), validationSplit(0.2), verbose(0));
            // Keras 3.15.1's history.history keys for the same fit: sorted.
            assertEquals(List.of("accuracy", "loss", "val_accuracy", "val_loss"), List.copyOf(h.history().keySet()));
            assertEquals(40 / 8 * 2, model.iterations(), "floor(50·0.8) = 40 training rows per epoch");
            float[][] lastX = java.util.Arrays.copyOfRange(x, 40, 50);
            int[] lastY = java.util.Arrays.copyOfRange(y, 40, 50);
            Map<String, Double> scores = model.evaluate(lastX, lastY);
            assertEquals(scores.get("loss"), h.last("val_loss"), 1e-9);
            assertEquals(scores.get("accuracy"), h.last("val_accuracy"), 1e-9);
        }
    }

    @Test
    void epochLossIsTheBatchSizeWeightedMean() {
        float[][] x = {{1f}, {2f}, {3f}};
        float[][] y = {{0f}, {0f}, {0f}};
        // Learning rate 0: the weights stay put, so the epoch loss is the plain mean over the three rows.
        try (Model model = Sequential.of(Input(1), Dense(1, "linear", true, "ones", "zeros")).compile(new SGD(0), "mse")) {
            History h = model.fit(x, y, batchSize(2), shuffle(false), verbose(0));
            assertEquals((1 + 4 + 9) / 3.0, h.last("loss"), 1e-6);
        }
    }

    /**
     * "accuracy" means binary accuracy after one sigmoid unit and categorical accuracy after a softmax, as in
     * Keras. The weights are set by hand so every prediction is known, and each way of counting would give
     * its own number.
     */
    @Test
    void accuracyIsResolvedFromTheOutputAndLoss() {
        float[][] x = {{1f, 0f}, {0f, 1f}};
        try (Model binary = Sequential.of(Input(2), Dense(1, "sigmoid")).compile("adam", "binary_crossentropy",
                "accuracy")) {
            // σ(4) ≈ 0.98 and σ(−4) ≈ 0.02 are classes 1 and 0 at the 0.5 threshold: one of the labels 1, 1 is
            // right. An argmax over the single output would say class 0 for both rows and score 0.
            binary.setWeights(List.of(new float[] {4f, -4f}, new float[] {0f}));
            assertEquals(0.5, binary.evaluate(x, new int[] {1, 1}).get("accuracy"), 1e-12);
        }
        float[][] identity = {{1f, 0f, 0f}, {0f, 1f, 0f}, {0f, 0f, 1f}};
        try (Model onehot = Sequential.of(Input(3), Dense(3, "softmax")).compile("adam", "categorical_crossentropy",
                "accuracy")) {
            // Row i's logits are row i of the kernel: rows 0 and 1 predict their own class, row 2 predicts
            // class 0 (probability 0.9993). Categorical accuracy counts rows: 2 of 3. Binary accuracy would
            // count the 9 thresholded outputs, 7 of them right.
            onehot.setWeights(List.of(new float[] {8f, 0f, 0f, 0f, 8f, 0f, 8f, 0f, 0f}, new float[3]));
            double accuracy = onehot.evaluate(identity, identity).get("accuracy");
            assertEquals(2.0 / 3, accuracy, 1e-12);
        }
    }
}
