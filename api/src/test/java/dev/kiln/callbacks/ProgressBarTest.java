package dev.kiln.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bar's text with fixed times: the terminal redraw, the final bar, the one-line form and the number formats. */
class ProgressBarTest {
    private static final long MS = 1_000_000L;
    private static final String BAR20 = "━━━━━━━━━━━━━━━━━━━━";

    private static String plain(String s) {
        return s.replaceAll("\u001b\\[[0-9;]*m", "");
    }

    private static Map<String, Double> logs(double loss, double accuracy) {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("accuracy", accuracy);
        return m;
    }

    @Test
    void terminalBarRedrawsInPlaceWithAnEtaThenEndsWithTheEpochTime() {
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        var bar = new ProgressBar(out, 422, true, 0);
        bar.firstStepDone(10 * MS);
        // 211 steps done at 850 ms: 4 ms per step after the first, 211 left ≈ 0.84 s.
        bar.update(211, logs(0.33012, 0.88121), 850 * MS);
        String first = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(first.startsWith("\r"), "redrawn from the line start: " + first);
        assertFalse(first.contains("\n"), "no new line while the epoch runs");
        assertEquals("\r211/422 " + BAR20 + " 0s 4ms/step - accuracy: 0.8812 - loss: 0.3301", plain(first));
        assertTrue(first.contains("\u001b[32m━━━━━━━━━━\u001b[0m"), "half the bar in green: " + first);
        bytes.reset();
        bar.finish("Epoch 3/10", logs(0.3301, 0.8812), 2_124 * MS);
        String last = plain(bytes.toString(StandardCharsets.UTF_8));
        assertEquals("\r422/422 " + BAR20 + " 2s 5ms/step - accuracy: 0.8812 - loss: 0.3301" + System.lineSeparator(), last);
    }

    @Test
    void aShorterRedrawBlanksWhatTheLongerOneLeft() {
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        var bar = new ProgressBar(out, 10, true, 0);
        bar.update(1, Map.of("loss", 1234.5678), 100 * MS);
        int longer = plain(bytes.toString(StandardCharsets.UTF_8)).length();
        bytes.reset();
        bar.update(2, Map.of("loss", 0.5), 200 * MS);
        assertEquals(longer, plain(bytes.toString(StandardCharsets.UTF_8)).length());
    }

    @Test
    void withoutATerminalOnlyTheEpochsEndPrintsOneLine() {
        var bytes = new ByteArrayOutputStream();
        var out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        var bar = new ProgressBar(out, 422, false, 0);
        bar.firstStepDone(10 * MS);
        bar.update(100, logs(0.5, 0.5), 400 * MS);
        assertEquals("", bytes.toString(StandardCharsets.UTF_8));
        Map<String, Double> epoch = logs(0.3301, 0.8812);
        epoch.put("val_loss", 0.379);
        epoch.put("val_accuracy", 0.861);
        bar.finish("Epoch 3/10", epoch, 2_124 * MS);
        assertEquals("Epoch 3/10 - 422/422 - 2s - 5ms/step - accuracy: 0.8812 - loss: 0.3301 - val_accuracy: 0.8610"
                + " - val_loss: 0.3790" + System.lineSeparator(), bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void numbersAreFormattedAsKerasPrintsThem() {
        assertEquals("0.3301", ProgressBar.formatValue(0.33012));
        assertEquals("-2.5000", ProgressBar.formatValue(-2.5));
        assertEquals("1.0000e-04", ProgressBar.formatValue(1e-4));
        assertEquals("0.0000e+00", ProgressBar.formatValue(0.0));
        assertEquals("nan", ProgressBar.formatValue(null));
        assertEquals(" 4ms/step", ProgressBar.formatStepTime(0.004));
        assertEquals(" 2s/step", ProgressBar.formatStepTime(2.2));
        assertEquals(" 250us/step", ProgressBar.formatStepTime(0.00025));
        assertEquals(" 0s/step", ProgressBar.formatStepTime(0));
        assertEquals("42s", ProgressBar.formatEta(42.9));
        assertEquals("3:07", ProgressBar.formatEta(187));
        assertEquals("1:02:03", ProgressBar.formatEta(3723));
    }
}
