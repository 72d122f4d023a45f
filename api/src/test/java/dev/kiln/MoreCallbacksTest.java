package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.CSVLogger;
import dev.kiln.callbacks.ReduceLROnPlateau;
import dev.kiln.callbacks.TerminateOnNaN;
import dev.kiln.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CSVLogger's file and TerminateOnNaN's stop. */
class MoreCallbacksTest {
    private static final float[][] X = {{1, 0}, {0, 1}, {1, 1}, {0, 0}, {0.5f, 0.5f}, {0.2f, 0.9f}, {0.9f, 0.1f},
        {0.3f, 0.3f}, {0.7f, 0.6f}, {0.1f, 0.4f}};
    private static final int[] Y = {1, 1, 0, 0, 1, 1, 1, 0, 0, 1};

    private static Model classifier() {
        return Sequential.of(Input(2), Dense(4, "tanh"), Dense(2, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    @Test
    void csvLoggerWritesAHeaderOfSortedKeysAndOneRowPerEpoch(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("log.csv");
        try (Model model = classifier()) {
            History h = model.fit(X, Y, epochs(3), validationSplit(0.2), verbose(0), callbacks(new CSVLogger(file)));
            List<String> lines = Files.readAllLines(file);
            assertEquals("epoch,accuracy,loss,val_accuracy,val_loss", lines.get(0));
            assertEquals(4, lines.size());
            // Written like every other file Kiln writes, not left private like its temporary file.
            Path plain = Files.createFile(dir.resolve("plain"));
            assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(file));
            Files.delete(plain);
            for (int epoch = 0; epoch < 3; epoch++) {
                String[] cells = lines.get(epoch + 1).split(",");
                assertEquals(Integer.toString(epoch), cells[0]);
                assertEquals(h.history().get("accuracy").get(epoch), Double.parseDouble(cells[1]));
                assertEquals(h.history().get("loss").get(epoch), Double.parseDouble(cells[2]));
                assertEquals(h.history().get("val_loss").get(epoch), Double.parseDouble(cells[4]));
            }
            // Overwrites by default; appends without a second header when asked.
            model.fit(X, Y, epochs(2), validationSplit(0.2), verbose(0), callbacks(new CSVLogger(file)));
            assertEquals(3, Files.readAllLines(file).size());
            model.fit(X, Y, epochs(2), validationSplit(0.2), verbose(0), callbacks(new CSVLogger(file, ",", true)));
            List<String> appended = Files.readAllLines(file);
            assertEquals(5, appended.size());
            assertEquals(1, appended.stream().filter(l -> l.startsWith("epoch")).count());
            try (var files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "no temporary file left behind");
            }
        }
    }

    @Test
    void csvLoggerTakesTheSeparatorAndSeesKeysEarlierCallbacksAdded(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("sub").resolve("log.tsv");
        try (Model model = classifier()) {
            model.fit(X, Y, epochs(2), verbose(0),
                    callbacks(new ReduceLROnPlateau().monitor("loss"), new CSVLogger(file, "\t", false)));
        }
        List<String> lines = Files.readAllLines(file);
        assertEquals("epoch\taccuracy\tlearning_rate\tloss", lines.get(0));
        assertEquals(0.001, Double.parseDouble(lines.get(1).split("\t")[2]), 1e-9);
        assertThrows(IllegalArgumentException.class, () -> new CSVLogger(file, "", false));
        assertThrows(IllegalArgumentException.class, () -> new CSVLogger(null));
    }

    private static Model divergent() {
        // A learning rate this large makes the squared error overflow within a few steps.
        return Sequential.of(Input(2), Dense(1)).compile(new SGD(1e6), "mse");
    }

    private static final float[][] TARGETS = {{3}, {-2}, {5}, {1}, {-4}, {2}, {6}, {-1}, {0}, {3}};

    @Test
    void terminateOnNaNStopsGracefullyOnceTheLossIsNotFinite() {
        PrintStream original = System.out;
        var bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        History h;
        long steps;
        try (Model model = divergent()) {
            h = model.fit(X, TARGETS, epochs(20), batchSize(1), verbose(0), callbacks(new TerminateOnNaN()));
            steps = model.iterations();
        } finally {
            System.setOut(original);
        }
        assertEquals(1, h.epoch().size(), "stopped in the first epoch");
        assertTrue(steps < X.length, "stopped after the batch that overflowed, at step " + steps);
        // Kiln's engine refuses the step whose loss or gradient is not finite, so that batch is in no
        // mean and the epoch's loss may be finite, unlike in Keras; what counts is that training stopped.
        assertTrue(bytes.toString(StandardCharsets.UTF_8).contains(": Invalid loss, terminating training"));
    }

    @Test
    void terminateOnNaNWithRaiseErrorThrows() {
        try (Model model = divergent()) {
            var e = assertThrows(IllegalStateException.class,
                    () -> model.fit(X, TARGETS, epochs(20), batchSize(1), verbose(0), callbacks(new TerminateOnNaN(true))));
            assertTrue(e.getMessage().startsWith("NaN or Inf loss encountered at batch "), e.getMessage());
        }
    }
}
