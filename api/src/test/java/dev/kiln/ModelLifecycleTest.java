package dev.kiln;

import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelLifecycleTest {
    @Test
    void summaryShowsKerasTable() {
        try (Model model = Sequential.of(Input(784), Dense(128, "relu"), Dense(10, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            model.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String text = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("dense (Dense)"), text);
            assertTrue(text.contains("dense_1 (Dense)"), text);
            assertTrue(text.contains("(None, 128)"), text);
            assertTrue(text.contains("100,480"), text);
            assertTrue(text.contains("1,290"), text);
            assertTrue(text.contains("Total params: 101,770"), text);
        }
    }

    @Test
    void buildIsDeferredUntilDataArrivesWithoutAnInputLayer() {
        try (Model model = Sequential.of(Dense(4, "relu"), Dense(2)).compile("sgd", "mse")) {
            assertFalse(model.isBuilt());
            assertEquals(List.of(), model.getWeights());
            model.predict(new float[][] {{1, 2, 3}});
            assertTrue(model.isBuilt());
            assertEquals(3, model.inputWidth());
            assertEquals(4, model.getWeights().size());
            assertEquals(3 * 4, model.getWeights().get(0).length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.predict(new float[][] {{1, 2}}));
            assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
        }
    }

    @Test
    void weightsRoundTripAndDriveThePredictions() {
        try (Model model = Sequential.of(Input(2), Dense(1)).compile("sgd", "mse")) {
            model.setWeights(List.of(new float[] {2f, -1f}, new float[] {0.5f}));
            assertArrayEquals(new float[] {2f, -1f}, model.getWeights().get(0));
            assertArrayEquals(new float[] {2f * 3 - 1f * 4 + 0.5f}, model.predict(new float[][] {{3, 4}})[0]);
            assertThrows(IllegalArgumentException.class, () -> model.setWeights(List.of(new float[] {1f})));
        }
    }

    @Test
    void tensorsAreAcceptedWhereverArraysAre() {
        float[][] x = {{1, 0}, {0, 1}, {1, 1}, {0, 0}, {2, 1}};
        float[][] y = {{1}, {-1}, {0}, {0}, {1}};
        Kiln.setSeed(5);
        List<float[]> fromArrays;
        try (Model model = Sequential.of(Dense(3, "tanh"), Dense(1)).compile("sgd", "mse")) {
            model.fit(x, y, epochs(3), FitOption.batchSize(2), FitOption.validationSplit(0.2), verbose(0));
            fromArrays = model.getWeights();
        }
        Kiln.setSeed(5);
        try (Model model = Sequential.of(Dense(3, "tanh"), Dense(1)).compile("sgd", "mse")) {
            dev.kiln.core.memory.Tensor tx = dev.kiln.core.memory.Tensor.of(x);
            model.fit(tx, dev.kiln.core.memory.Tensor.of(y), epochs(3), FitOption.batchSize(2),
                    FitOption.validationSplit(0.2), verbose(0));
            for (int p = 0; p < fromArrays.size(); p++) {
                assertArrayEquals(fromArrays.get(p), model.getWeights().get(p), "parameter " + p);
            }
            assertArrayEquals(model.predict(x)[4], model.predict(tx)[4]);
        }
    }

    @Test
    void everyCallAfterCloseThrowsIllegalState() {
        Model model = Sequential.of(Input(2), Dense(1)).compile("sgd", "mse");
        model.close();
        model.close(); // closing twice is harmless
        float[][] x = {{1, 2}};
        assertThrows(IllegalStateException.class, () -> model.predict(x));
        assertThrows(IllegalStateException.class, () -> model.fit(x, new float[][] {{1}}, verbose(0)));
        assertThrows(IllegalStateException.class, () -> model.evaluate(x, new float[][] {{1}}));
        assertThrows(IllegalStateException.class, model::getWeights);
        assertThrows(IllegalStateException.class, model::summary);
    }

    @Test
    void dropoutIsOnlyActiveInFit() {
        float[][] x = {{1, 2, 3, 4}, {4, 3, 2, 1}};
        try (Model model = Sequential.of(Input(4), Dense(16, "relu"), Dropout(0.5), Dense(2)).compile("sgd", "mse")) {
            float[][] first = model.predict(x);
            float[][] second = model.predict(x);
            assertArrayEquals(first[0], second[0]);
            try (Model plain = Sequential.of(Input(4), Dense(16, "relu"), Dense(2)).compile("sgd", "mse")) {
                plain.setWeights(model.getWeights());
                assertArrayEquals(first[0], plain.predict(x)[0], 1e-6f, "dropout must be the identity in predict");
            }
            // While training, the loss of the same weights on the same batch varies with the dropout mask.
            float[][] y = {{0, 0}, {0, 0}};
            List<float[]> start = model.getWeights();
            double a = model.fit(x, y, epochs(1), FitOption.shuffle(false), verbose(0)).last("loss");
            model.setWeights(start);
            double b = model.fit(x, y, epochs(1), FitOption.shuffle(false), verbose(0)).last("loss");
            assertTrue(a != b, "two dropout masks gave the same loss " + a);
        }
    }

    @Test
    void sameSeedTrainsToIdenticalWeights() {
        float[][] x = new float[64][5];
        int[] y = new int[64];
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 64; i++) {
            for (int j = 0; j < 5; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            y[i] = r.nextInt(3);
        }
        List<float[]> first = trainWithSeed(x, y);
        List<float[]> second = trainWithSeed(x, y);
        for (int p = 0; p < first.size(); p++) {
            assertArrayEquals(first.get(p), second.get(p), "parameter " + p);
        }
    }

    private static List<float[]> trainWithSeed(float[][] x, int[] y) {
        Kiln.setSeed(42);
        try (Model model = Sequential.of(Dense(8, "relu"), Dropout(0.25), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            model.fit(x, y, epochs(3), FitOption.batchSize(16), verbose(0));
            return model.getWeights();
        }
    }
}
