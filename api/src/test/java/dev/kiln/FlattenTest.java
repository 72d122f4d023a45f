package dev.kiln;

import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Activation;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Tensor;
import dev.kiln.layers.InputLayer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlattenTest {
    private static float[] values(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @Test
    void inputOfAShapeThenFlattenPredictsAsTheFlatModelWithTheSameWeightsAndMovesNoData() {
        int n = 5;
        Tensor images = Tensor.of(values(n * 4 * 3, 1), n, 4, 3);
        try (Model shaped = Sequential.of(Input(4, 3), Flatten(), Dense(2, "softmax"))
                .compile("sgd", "sparse_categorical_crossentropy");
             Model flat = Sequential.of(Input(12), Dense(2, "softmax")).compile("sgd", "sparse_categorical_crossentropy")) {
            flat.setWeights(shaped.getWeights());
            float[][] a = shaped.predict(images);
            float[][] b = flat.predict(images.toRows());
            for (int i = 0; i < n; i++) {
                assertArrayEquals(b[i], a[i], 0f);
            }
            // The flatten is a reshape in the plan: the dense layer reads the input's memory as it is.
            assertTrue(shaped.compiledPlan().contains("input: input[4, 3]\nflatten: reshape → [12]\n"),
                    shaped.compiledPlan());
            assertEquals(flat.compiledPlan().lines().count() + 1, shaped.compiledPlan().lines().count());
            shaped.fit(images, new int[] {0, 1, 0, 1, 1}, epochs(1), verbose(0));
        }
    }

    @Test
    void summaryShowsTheShapesAsKerasDoes() {
        try (Model m = Sequential.of(Input(28, 28), Dropout(0.1), Flatten(), Dense(10)).compile("sgd", "mse")) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            m.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String s = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(s.contains("dropout (Dropout)") && s.contains("(None, 28, 28)"), s);
            assertTrue(s.contains("flatten (Flatten)") && s.contains("(None, 784)"), s);
            assertTrue(s.contains("7,850"), s);
        }
    }

    @Test
    void aDenseOnAMultiDimensionalInputAsksForFlatten() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(28, 28), Dense(10)).compile("sgd", "mse"));
        assertTrue(e.getMessage().contains("Flatten()") && e.getMessage().contains("[28, 28]"), e.getMessage());
    }

    @Test
    void softmaxOnImagesAsksForFlattenButElementwiseActivationsTakeThem() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(2, 3), Activation("softmax")).compile("sgd", "mse"));
        assertEquals("Activation layer 'activation' (softmax) needs flat examples but gets examples of shape [2, 3]:"
                + " add Flatten() before it", e.getMessage());
        try (Model m = Sequential.of(Input(2, 3), Activation("relu"), Flatten(), Dense(2)).compile("sgd", "mse")) {
            assertEquals(2, m.predict(new float[][] {{1, -1, 2, -2, 3, -3}})[0].length);
        }
    }

    @Test
    void inputShapesAreValidated() {
        assertEquals(List.of(28, 28), ((InputLayer) Input(28, 28)).shape());
        assertEquals(784, ((InputLayer) Input(28, 28)).width());
        assertEquals(List.of(7), new InputLayer(7).shape());
        assertThrows(IllegalArgumentException.class, () -> Input(28, 0));
        assertThrows(IllegalArgumentException.class, () -> Input(new int[0]));
        assertThrows(IllegalArgumentException.class, () -> new InputLayer(5, List.of(2, 2)));
    }
}
