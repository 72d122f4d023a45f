package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HistoryPlotTest {
    @TempDir
    Path dir;

    static History history(int epochs, boolean validation) {
        History h = new History();
        for (int e = 0; e < epochs; e++) {
            Map<String, Double> logs = new LinkedHashMap<>();
            logs.put("loss", 1.0 / (e + 1));
            logs.put("accuracy", 0.5 + 0.04 * e);
            if (validation) {
                logs.put("val_loss", 1.1 / (e + 1) + 0.02 * e);
                logs.put("val_accuracy", 0.48 + 0.03 * e);
            }
            h.record(e, logs, 0.1);
        }
        return h;
    }

    @Test
    void pngHasOnePanelPerMetricWithBothCurves() throws Exception {
        Path png = dir.resolve("history.png");
        history(6, true).plot(png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(2 * 640, image.getWidth());
        assertEquals(440, image.getHeight());
        // Both panels draw a blue training and an orange validation curve.
        for (int panel = 0; panel < 2; panel++) {
            assertTrue(countNear(image, panel, 0x1f77b4) > 200, "training curve in panel " + panel);
            assertTrue(countNear(image, panel, 0xff7f0e) > 100, "validation curve in panel " + panel);
        }
        assertEquals(List.of("history.png"), Files.list(dir).map(p -> p.getFileName().toString()).toList());
    }

    @Test
    void svgWhenTheNameSaysSoWithTitlesAndAxisLabels() throws Exception {
        Path svg = dir.resolve("history.svg");
        history(3, true).plot(svg);
        String text = Files.readString(svg);
        assertTrue(text.contains("<svg") && text.contains("viewBox=\"0 0 1280 440\""),
                text.substring(0, Math.min(400, text.length())));
        // XChart draws its text as outlines, so the check is on the two curves' colours.
        assertTrue(text.contains("rgb(31,119,180)"), "a training curve");
        assertTrue(text.contains("rgb(255,127,14)"), "a validation curve");
    }

    @Test
    void withoutValidationOrWithOneEpochItStillDraws() throws Exception {
        history(1, false).plot(dir.resolve("one.png"));
        history(3, false).plot(dir.resolve("three.png"));
        BufferedImage image = ImageIO.read(dir.resolve("three.png").toFile());
        assertTrue(countNear(image, 0, 0x1f77b4) > 100);
        assertEquals(0, countNear(image, 0, 0xff7f0e));
    }

    @Test
    void anEmptyHistoryIsRefused() {
        assertThrows(IllegalStateException.class, () -> new History().plot(dir.resolve("x.png")));
    }

    private static int countNear(BufferedImage image, int panel, int rgb) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = panel * 640; x < (panel + 1) * 640 && x < image.getWidth(); x++) {
                int p = image.getRGB(x, y);
                int dr = ((p >> 16) & 255) - ((rgb >> 16) & 255);
                int dg = ((p >> 8) & 255) - ((rgb >> 8) & 255);
                int db = (p & 255) - (rgb & 255);
                if (dr * dr + dg * dg + db * db < 900) {
                    count++;
                }
            }
        }
        return count;
    }
}
