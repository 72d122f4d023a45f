package dev.kiln;

import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Mistakes caught before any kernel runs, with a message that names the value; the model stays unbuilt. */
class BadInputTest {
    private static final float[][] X = {{1, 2, 3}, {3, 2, 1}, {0, 1, 0}};

    @Test
    void validationDataOfAnotherWidthIsRefusedEvenBeforeTheModelIsBuilt() {
        try (Model model = Sequential.of(Dense(2, "softmax")).compile("adam", "sparse_categorical_crossentropy")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.fit(X,
                    new int[] {0, 1, 0}, validationData(new float[][] {{1, 2}}, new int[] {0}), verbose(0)));
            assertTrue(e.getMessage().contains("2") && e.getMessage().contains("3"), e.getMessage());
            assertFalse(model.isBuilt(), "a refused fit must not build the model");
        }
    }

    @Test
    void binaryCrossentropyTargetsMustBeProbabilities() {
        try (Model model = Sequential.of(Dense(1, "sigmoid")).compile("adam", "binary_crossentropy")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.fit(X, new int[] {0, 1, 2}, verbose(0)));
            assertTrue(e.getMessage().contains("2") && e.getMessage().contains("[0, 1]"), e.getMessage());
        }
    }

    @Test
    void labelsOutOfRangeAndMismatchedRowsAreNamed() {
        try (Model model = Sequential.of(Dense(3, "softmax")).compile("adam", "sparse_categorical_crossentropy")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.fit(X, new int[] {0, 3, 1}, verbose(0)));
            assertTrue(e.getMessage().contains("y[1] is 3") && e.getMessage().contains("[0, 3)"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> model.fit(X, new int[] {0, 1}, verbose(0)));
            assertTrue(e.getMessage().contains("3 rows") && e.getMessage().contains("2"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> model.fit(new float[][] {{1, 2, 3}, {1, Float.NaN, 0}}, new int[] {0, 1}, verbose(0)));
            assertTrue(e.getMessage().contains("NaN"), e.getMessage());
            assertFalse(model.isBuilt());
        }
    }
}
