package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.ModelCheckpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kiln's own models through Keras' files: the cases Keras' fixtures do not reach. */
class KerasFilesTest {
    @TempDir
    Path dir;

    private static final float[][] X = {{0.5f, -1f, 2f}, {1f, 0f, -0.25f}, {0.1f, 0.2f, 0.3f}, {-2f, 1f, 0f}};
    private static final int[] Y = {0, 1, 1, 0};

    @Test
    void aModelWithoutAnInputLayerIsSavedWithItsBuildShape() throws IOException {
        try (Model model = Sequential.of(Dense(4, "relu"), Dense(2, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy")) {
            model.fit(X, Y, epochs(2), batchSize(2), verbose(0));
            Path file = dir.resolve("no-input.keras");
            model.save(file);
            try (Model back = Model.load(file)) {
                assertArrayEquals(model.predict(X)[1], back.predict(X)[1]);
                assertEquals(model.iterations(), back.iterations());
            }
        }
    }

    @Test
    void aModelNeverBuiltIsSavedAndLoadsUnbuilt() throws IOException {
        try (Model model = Sequential.of(Dense(4, "relu"), Dense(2, "softmax"))
                .compile("rmsprop", "sparse_categorical_crossentropy")) {
            Path file = dir.resolve("unbuilt.keras");
            model.save(file);
            try (Model back = Model.load(file)) {
                assertFalse(back.isBuilt());
                assertEquals(0, back.iterations());
                back.fit(X, Y, epochs(1), verbose(0));
                assertTrue(back.isBuilt());
            }
            assertThrows(IllegalStateException.class, () -> model.saveWeights(dir.resolve("w.weights.h5")),
                    "a model never built has no weights to save");
        }
    }

    @Test
    void modelCheckpointWritesKerasFiles() throws IOException {
        try (Model model = Sequential.of(Input(3), Dense(2, "softmax")).compile("sgd", "sparse_categorical_crossentropy")) {
            model.fit(X, Y, epochs(2), batchSize(4), verbose(0), callbacks(
                    new ModelCheckpoint(dir.resolve("model-{epoch}.keras").toString()),
                    new ModelCheckpoint(dir.resolve("weights-{epoch}.weights.h5").toString()).saveWeightsOnly(true)));
            try (Model back = Model.load(dir.resolve("model-2.keras"))) {
                assertArrayEquals(model.predict(X)[0], back.predict(X)[0]);
                assertEquals(2, back.iterations());
            }
            assertTrue(Files.isRegularFile(dir.resolve("weights-2.weights.h5")));
        }
        try (Model model = Sequential.of(Input(3), Dense(2, "softmax")).compile("sgd", "sparse_categorical_crossentropy")) {
            ModelCheckpoint legacy = new ModelCheckpoint(dir.resolve("model.h5").toString());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.fit(X, Y, epochs(1), verbose(0), callbacks(legacy)));
            assertTrue(e.getMessage().contains("must end in .kiln (Kiln's format) or .keras (Keras')"), e.getMessage());
        }
    }
}
