package dev.kiln.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ComparisonChartTest {
    private static final String HEADER = "setting,batch,engine,label,rounds,"
            + "train_samples_per_s,fit_s,first_predict_s,infer_samples_per_s,train_ratio\n";

    @TempDir
    Path dir;

    @Test
    void drawsFourPanelsWithASeriesPerEngine() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path csv = dir.resolve("summary.csv");
        // Three engines in one setting, two in the other; Kiln's row carries a ratio the chart ignores;
        // keras reported no first predict, which leaves a gap.
        Files.writeString(csv, HEADER + """
                b32 h128,32,kiln,Kiln,3,150000,4.8,0.48,600000,2.1
                b32 h128,32,torch1,PyTorch 1.13 + OpenBLAS,3,50000,6.2,0.01,900000,
                b32 h128,32,keras,Keras 3.15 + JAX,3,70000,5.1,,500000,
                "b128 h256,128",128,kiln,Kiln,3,300000,4.2,0.5,1200000,1.6
                "b128 h256,128",128,torch1,,3,200000,2.0,0.012,1000000,
                """);
        List<ComparisonChart.Row> rows = ComparisonChart.read(csv);
        assertEquals(new ComparisonChart.Row("b32 h128", "Keras 3.15 + JAX", 70000.0, 5.1, null, 500000.0),
                rows.get(2));
        assertEquals("torch1", rows.get(4).engine(), "an empty label falls back to the engine");

        Path png = dir.resolve("out/chart.png");
        ComparisonChart.draw(rows, png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image.getWidth() >= 1400 && image.getHeight() >= 900, image.getWidth() + "x" + image.getHeight());
        try (var files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void leavesOutAPanelThatNoEngineReported() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path csv = dir.resolve("old.csv");
        Files.writeString(csv, HEADER + """
                b32,32,kiln,Kiln,1,150000,4.8,,600000,
                b32,32,torch1,,1,50000,6.2,,900000,
                """);
        Path png = dir.resolve("chart.png");
        ComparisonChart.draw(ComparisonChart.read(csv), png);
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image.getWidth() >= 2100 && image.getHeight() < 900, "three panels in a row: "
                + image.getWidth() + "x" + image.getHeight());
    }

    @Test
    void refusesACsvWithoutNumbersOrColumns() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, HEADER + "b32,32,kiln,Kiln,1,fast,1,1,1,\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComparisonChart.read(csv));
        assertTrue(e.getMessage().contains("train_samples_per_s"), e.getMessage());
        Files.writeString(csv, "setting,engine,train_samples_per_s\nb32,kiln,1\n");
        e = assertThrows(IllegalArgumentException.class, () -> ComparisonChart.read(csv));
        assertTrue(e.getMessage().contains("fit_s"), e.getMessage());
        Files.writeString(csv, HEADER);
        assertThrows(IllegalArgumentException.class, () -> ComparisonChart.read(csv));
    }
}
