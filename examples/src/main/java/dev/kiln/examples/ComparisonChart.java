package dev.kiln.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws the summary of {@code benchmarks/compare-pytorch.sh} as a PNG: bars of Kiln's and PyTorch's
 * median training and inference samples/s for every setting, training on the left, inference on the
 * right (their scales differ tenfold).
 *
 * <pre>{@code
 * java -Djava.awt.headless=true -cp "examples/target/*:examples/target/lib/*" \
 *     dev.kiln.examples.ComparisonChart benchmarks/results/compare-pytorch.csv benchmarks/results/compare-pytorch.png
 * }</pre>
 *
 * The CSV needs a header with the columns {@code setting}, {@code kiln_train}, {@code torch_train},
 * {@code kiln_infer} and {@code torch_infer} (samples/s); other columns are ignored.
 */
public final class ComparisonChart {
    private static final int PANEL_WIDTH = 640;
    private static final int PANEL_HEIGHT = 420;

    private ComparisonChart() {
    }

    /** One setting's medians, samples/s. */
    record Row(String setting, double kilnTrain, double torchTrain, double kilnInfer, double torchInfer) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ComparisonChart <summary.csv> <chart.png>");
            System.exit(2);
        }
        draw(read(Path.of(args[0])), Path.of(args[1]), "");
    }

    static List<Row> read(Path csv) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(csv)) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                rows.add(new Row(r.get("setting"), number(r, "kiln_train"), number(r, "torch_train"),
                        number(r, "kiln_infer"), number(r, "torch_infer")));
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(csv + " holds no settings: expected a header and one row per setting");
        }
        return rows;
    }

    /** Writes the two panels side by side to {@code png}, through a temporary file and a rename. */
    static void draw(List<Row> rows, Path png, String subtitle) throws IOException {
        List<String> settings = rows.stream().map(Row::setting).toList();
        CategoryChart train = panel("Training samples/s (median epoch 2..N)" + subtitle, settings,
                rows.stream().map(Row::kilnTrain).toList(), rows.stream().map(Row::torchTrain).toList());
        CategoryChart infer = panel("Inference samples/s (10k test, batch 1024)" + subtitle, settings,
                rows.stream().map(Row::kilnInfer).toList(), rows.stream().map(Row::torchInfer).toList());
        Path dir = png.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // A temporary name beside the target, created with the usual permissions (createTempFile's are
        // owner-only), then renamed over it: a reader never sees half a PNG.
        Path tmp = dir.resolve("." + png.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                BitmapEncoder.saveBitmap(List.of(train, infer), 1, 2, out, BitmapEncoder.BitmapFormat.PNG);
            }
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static CategoryChart panel(String title, List<String> settings, List<Double> kiln, List<Double> torch) {
        CategoryChart chart = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(title)
                .xAxisTitle("setting").yAxisTitle("samples/s").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0");
        chart.getStyler().setYAxisDecimalPattern("#,##0");
        chart.getStyler().setYAxisMin(0.0);
        chart.addSeries("Kiln", settings, kiln);
        chart.addSeries("PyTorch (OpenBLAS)", settings, torch);
        return chart;
    }

    private static double number(CSVRecord r, String column) {
        String v = r.get(column);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column " + column + " of line " + r.getRecordNumber() + " is '" + v
                    + "': expected a number of samples/s", e);
        }
    }
}
