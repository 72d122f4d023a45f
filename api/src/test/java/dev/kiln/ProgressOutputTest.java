package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.ProgbarLogger;
import dev.kiln.data.Batch;
import dev.kiln.data.Dataset;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** What fit prints at verbose 0, 1 and 2, on a terminal and not. */
class ProgressOutputTest {
    /** A logged value as Keras formats it: 0.1234, or 0.0000e+00 for an exact zero (an accuracy can be). */
    private static final String V = "\\d\\.\\d{4}(e[+-]\\d{2})?";
    private static final Pattern EPOCH_LINE = Pattern.compile(
            "Epoch [1-3]/3 - 8/8 - \\d+s - \\d+(s|ms|us)/step - accuracy: " + V + " - loss: " + V
                    + " - val_accuracy: " + V + " - val_loss: " + V);

    private static float[][] x() {
        float[][] x = new float[40][3];
        for (int i = 0; i < x.length; i++) {
            x[i] = new float[] {i % 2, (i / 2) % 2, (i % 7) / 7f};
        }
        return x;
    }

    private static int[] y() {
        int[] y = new int[40];
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 2;
        }
        return y;
    }

    private static Model model() {
        return Sequential.of(Input(3), Dense(4, "relu"), Dense(2, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    /** Runs {@code body} with standard output captured. */
    private static String stdout(Supplier<?> body) {
        PrintStream original = System.out;
        var bytes = new ByteArrayOutputStream();
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.get();
        } finally {
            System.setOut(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Lines as a terminal shows them: split at line ends only (String.lines() would split at '\r' too). */
    private static List<String> lines(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split(Pattern.quote(System.lineSeparator())));
    }

    @Test
    void verboseZeroPrintsNothing() {
        try (Model model = model()) {
            assertEquals("", stdout(() -> model.fit(x(), y(), epochs(2), verbose(0))));
        }
    }

    @Test
    void verboseTwoPrintsOneLinePerEpoch() {
        try (Model model = model()) {
            String out = stdout(() -> model.fit(x(), y(), epochs(3), batchSize(4), validationSplit(0.2), verbose(2)));
            List<String> lines = lines(out);
            assertEquals(3, lines.size(), out);
            for (int i = 0; i < 3; i++) {
                assertTrue(EPOCH_LINE.matcher(lines.get(i)).matches(), "line " + i + ": " + lines.get(i));
                assertTrue(lines.get(i).startsWith("Epoch " + (i + 1) + "/3 - "));
            }
            assertTrue(!out.contains("\r") && !out.contains("\u001b"), "no redraws or colours: " + out);
        }
    }

    @Test
    void verboseOneWhenStandardOutputIsNotATerminalPrintsOneLinePerEpoch() {
        // Under the test runner standard output is a pipe, so the default (verbose 1) prints lines.
        if (ProgbarLogger.standardOutputIsTerminal()) {
            return;
        }
        try (Model model = model()) {
            String out = stdout(() -> model.fit(x(), y(), epochs(3), batchSize(4), validationSplit(0.2)));
            List<String> lines = lines(out);
            assertEquals(3, lines.size(), out);
            lines.forEach(l -> assertTrue(EPOCH_LINE.matcher(l).matches(), l));
        }
    }

    @Test
    void verboseOneOnATerminalRedrawsTheBarAtMostEveryFiftyMilliseconds() {
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        long[] now = {0};
        // Every reading of the clock is 20 ms later: with 10 batches the bar is drawn after batches
        // 1, 4, 7 and 10 (the first always, then whenever 50 ms have passed), then once at the epoch's end.
        var logger = new ProgbarLogger(out, true, () -> now[0] += 20_000_000L);
        try (Model model = model()) {
            model.fit(x(), y(), epochs(2), batchSize(4), validationSplit(0.0), callbacks(logger));
        }
        String text = bytes.toString(StandardCharsets.UTF_8).replaceAll("\u001b\\[[0-9;]*m", "");
        String[] epochs = text.split("Epoch 2/2" + Pattern.quote(System.lineSeparator()));
        assertEquals(2, epochs.length, text);
        assertTrue(epochs[0].startsWith("Epoch 1/2" + System.lineSeparator()), text);
        for (String epoch : epochs) {
            assertEquals(5, epoch.chars().filter(c -> c == '\r').count(), "4 redraws and the final bar: " + epoch);
            for (String step : new String[] {" 1/10 ", " 4/10 ", " 7/10 ", "10/10 "}) {
                assertTrue(epoch.contains("\r" + step.stripLeading()) || epoch.contains("\r" + step), step + " in " + epoch);
            }
        }
        // Lines end only where the terminal moves down: after each Epoch header and each final bar.
        List<String> finals = List.of(text.split(Pattern.quote(System.lineSeparator()))).stream()
                .filter(l -> !l.startsWith("Epoch")).toList();
        assertEquals(2, finals.size(), text);
        for (String l : finals) {
            String last = l.substring(l.lastIndexOf('\r') + 1);
            // As Keras, a value below 1e-3 (an accuracy of 0 after ten steps) is written 0.0000e+00.
            String value = "\\d\\.\\d{4}(e[+-]\\d{2})?";
            assertTrue(Pattern.matches("10/10 ━{20} \\d+s \\d+ms/step - accuracy: " + value + " - loss: " + value, last),
                    last);
        }
    }

    @Test
    void verboseTwoWithATerminalStillPrintsLines() {
        var bytes = new ByteArrayOutputStream();
        var logger = new ProgbarLogger(new PrintStream(bytes, true, StandardCharsets.UTF_8), true);
        try (Model model = model()) {
            model.fit(x(), y(), epochs(3), batchSize(4), validationSplit(0.2), verbose(2), callbacks(logger));
        }
        List<String> lines = lines(bytes.toString(StandardCharsets.UTF_8));
        assertEquals(3, lines.size());
        lines.forEach(l -> assertTrue(EPOCH_LINE.matcher(l).matches(), l));
    }

    @Test
    void aProgbarLoggerAmongTheCallbacksReplacesTheDefaultOne() {
        var bytes = new ByteArrayOutputStream();
        var logger = new ProgbarLogger(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        try (Model model = model()) {
            String stdout = stdout(() -> model.fit(x(), y(), epochs(2), callbacks(logger)));
            assertEquals("", stdout);
        }
        assertEquals(2, lines(bytes.toString(StandardCharsets.UTF_8)).size());
    }

    @Test
    void aGeneratorOfUnknownLengthCountsWithoutATotalUntilItsFirstEpochEnds() {
        float[][] x = x();
        int[] y = y();
        Iterable<Batch> batches = () -> java.util.stream.IntStream.range(0, 5)
                .mapToObj(i -> Batch.of(java.util.Arrays.copyOfRange(x, 4 * i, 4 * i + 4),
                        java.util.Arrays.copyOfRange(y, 4 * i, 4 * i + 4)))
                .iterator();
        var bytes = new ByteArrayOutputStream();
        long[] now = {0};
        var logger = new ProgbarLogger(new PrintStream(bytes, true, StandardCharsets.UTF_8), true,
                () -> now[0] += 60_000_000L);
        try (Model model = model()) {
            model.fit(Dataset.fromBatches(batches), epochs(2), callbacks(logger));
        }
        String text = bytes.toString(StandardCharsets.UTF_8).replaceAll("\u001b\\[[0-9;]*m", "");
        String[] epochs = text.split("Epoch 2/2" + Pattern.quote(System.lineSeparator()));
        assertEquals(2, epochs.length, text);
        assertTrue(epochs[0].contains("\r1/Unknown ") && epochs[0].contains("\r5/Unknown "), epochs[0]);
        assertTrue(epochs[0].contains("\r5/5 ━"), "the first epoch ends with the count it saw: " + epochs[0]);
        assertTrue(epochs[1].contains("\r1/5 ") && !epochs[1].contains("Unknown"), "then it is known: " + epochs[1]);
    }
}
