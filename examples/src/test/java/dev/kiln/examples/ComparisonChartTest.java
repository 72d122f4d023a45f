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
    @TempDir
    Path dir;

    @Test
    void drawsBothPanelsFromTheSummaryCsv() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path csv = dir.resolve("summary.csv");
        Files.writeString(csv, """
                setting,batch,kiln_train,torch_train,train_ratio,kiln_infer,torch_infer
                b32 h128,32,150000,90000,1.67,900000,400000
                "b128 h256,128",128,300000,200000,1.5,1200000,500000
                """);
        List<ComparisonChart.Row> rows = ComparisonChart.read(csv);
        assertEquals(new ComparisonChart.Row("b128 h256,128", 300000, 200000, 1200000, 500000), rows.get(1));

        Path png = dir.resolve("out/chart.png");
        ComparisonChart.draw(rows, png, "");
        BufferedImage image = ImageIO.read(png.toFile());
        assertTrue(image.getWidth() >= 1000 && image.getHeight() >= 400, image.getWidth() + "x" + image.getHeight());
        try (var files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void refusesACsvWithoutNumbers() throws Exception {
        Path csv = dir.resolve("bad.csv");
        Files.writeString(csv, "setting,kiln_train,torch_train,kiln_infer,torch_infer\nb32,fast,1,1,1\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ComparisonChart.read(csv));
        assertTrue(e.getMessage().contains("kiln_train"), e.getMessage());
        Files.writeString(csv, "setting,kiln_train,torch_train,kiln_infer,torch_infer\n");
        assertThrows(IllegalArgumentException.class, () -> ComparisonChart.read(csv));
    }
}
