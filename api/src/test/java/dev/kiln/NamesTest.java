package dev.kiln;

import static dev.kiln.Layers.Dense;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** An unknown name fails at once, listing the valid names and suggesting the nearest. */
class NamesTest {
    @Test
    void unknownActivationSuggestsTheNearest() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dense(3, "rleu"));
        assertTrue(e.getMessage().contains("'rleu'") && e.getMessage().contains("did you mean 'relu'?"), e.getMessage());
        assertTrue(e.getMessage().contains("sigmoid"), "lists the valid names: " + e.getMessage());
    }

    @Test
    void unknownLossOptimizerAndMetricSuggestTheNearest() {
        Sequential s = Sequential.of(Dense(2));
        assertMessage(() -> s.compile("adma", "mse"), "did you mean 'adam'?");
        assertMessage(() -> s.compile("adam", "sparse_categorical_crossentropi"),
                "did you mean 'sparse_categorical_crossentropy'?");
        assertMessage(() -> s.compile("adam", "mse", "accuracyy"), "did you mean 'accuracy'?");
        assertMessage(() -> Dense(2, "relu", true, "glorot_unifrom", "zeros"), "did you mean 'glorot_uniform'?");
    }

    @Test
    void aNameFarFromEveryOtherGetsNoSuggestion() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Dense(3, "xyzzyplugh"));
        assertTrue(!e.getMessage().contains("did you mean"), e.getMessage());
    }

    private static void assertMessage(org.junit.jupiter.api.function.Executable call, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
