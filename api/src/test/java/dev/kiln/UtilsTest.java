package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** keras.utils.to_categorical's behaviour, with bad labels refused rather than wrapped around. */
class UtilsTest {
    @Test
    void oneHotRowsAsKeras() {
        // Keras 3.15.1: to_categorical([0, 2, 1]) is [[1, 0, 0], [0, 0, 1], [0, 1, 0]].
        float[][] got = Utils.toCategorical(new int[] {0, 2, 1});
        assertArrayEquals(new float[][] {{1, 0, 0}, {0, 0, 1}, {0, 1, 0}}, got);
        got = Utils.toCategorical(new int[] {3, 0}, 5);
        assertArrayEquals(new float[][] {{0, 0, 0, 1, 0}, {1, 0, 0, 0, 0}}, got);
        assertEquals(0, Utils.toCategorical(new int[0], 4).length);
    }

    @Test
    void badLabelsAreRefusedNamingTheRow() {
        // Keras raises an IndexError for 5 with 3 classes, and numpy silently wraps -1 to the last class.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Utils.toCategorical(new int[] {0, 5, 1}, 3));
        assertTrue(e.getMessage().contains("label 1 is 5") && e.getMessage().contains("0 to 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Utils.toCategorical(new int[] {0, -1}));
        assertTrue(e.getMessage().contains("label 1 is -1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Utils.toCategorical(new int[] {0}, 0));
        assertThrows(IllegalArgumentException.class, () -> Utils.toCategorical(null));
        e = assertThrows(IllegalArgumentException.class, () -> Utils.toCategorical(new int[0]));
        assertTrue(e.getMessage().contains("pass numClasses"), e.getMessage());
    }

    @Test
    void theRowsTrainACategoricalModel() {
        float[][] x = {{1f, 0f}, {0f, 1f}, {1f, 1f}};
        try (Model m = Sequential.of(Layers.Input(2), Layers.Dense(3, "softmax"))
                .compile("sgd", "categorical_crossentropy", "accuracy")) {
            assertTrue(Double.isFinite(m.evaluate(x, Utils.toCategorical(new int[] {0, 1, 2})).get("loss")));
        }
    }
}
