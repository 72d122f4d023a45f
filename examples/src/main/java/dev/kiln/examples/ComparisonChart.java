package dev.kiln.examples;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;
import java.util.function.Function;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Draws the summary of {@code benchmarks/compare-peers.sh} as a PNG: four panels of bars, one bar per
 * engine for every setting: steady training samples/s and whole fit seconds on top, first predict
 * milliseconds and steady inference samples/s below.
 *
 * <pre>{@code
 * java -Djava.awt.headless=true -cp "examples/target/*:examples/target/lib/*" \
 *     dev.kiln.examples.ComparisonChart benchmarks/results/compare-peers.csv benchmarks/results/compare-peers.png
 * }</pre>
 *
 * The CSV has a header and one row per setting and engine, with the columns {@code setting},
 * {@code engine}, {@code train_samples_per_s}, {@code fit_s}, {@code first_predict_s} and
 * {@code infer_samples_per_s}; {@code label}, if present, names the engine in the legend. An empty
 * cell is a figure the engine did not report and leaves a gap; other columns are ignored.
 */
public final class ComparisonChart {
    private static final int PANEL_WIDTH = 720;
    private static final int PANEL_HEIGHT = 460;

    /** One bar chart: what it shows and how to read that off a row. */
    private record Panel(String title, String yAxis, String pattern, Function<Row, Double> value) {
    }

    private static final List<Panel> PANELS = List.of(
            new Panel("Steady training (median epoch 2..N), higher is better", "samples/s", "#,##0", Row::train),
            new Panel("Whole fit (all epochs), lower is better", "seconds", "0.00", Row::fit),
            new Panel("First predict of the 10k test set, lower is better", "ms", "#,##0.0",
                    r -> r.firstPredict() == null ? null : r.firstPredict() * 1e3),
            new Panel("Steady inference (10k test, batch 1024), higher is better", "samples/s", "#,##0", Row::infer));

    private ComparisonChart() {
    }

    /** One engine's medians in one setting; a null is a figure the engine did not report. */
    record Row(String setting, String engine, Double train, Double fit, Double firstPredict, Double infer) {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ComparisonChart <summary.csv> <chart.png>");
            System.exit(2);
        }
        draw(read(Path.of(args[0])), Path.of(args[1]));
    }

    static List<Row> read(Path csv) throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Reader in = Files.newBufferedReader(csv)) {
            for (CSVRecord r : CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get().parse(in)) {
                String engine = r.isMapped("label") && !r.get("label").isBlank() ? r.get("label") : r.get("engine");
                rows.add(new Row(r.get("setting"), engine, number(r, "train_samples_per_s"), number(r, "fit_s"),
                        number(r, "first_predict_s"), number(r, "infer_samples_per_s")));
            }
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(
                    csv + " holds no rows: expected a header and one row per setting and engine");
        }
        return rows;
    }

    /** Writes the panels to {@code png}, through a temporary file and a rename. */
    static void draw(List<Row> rows, Path png) throws IOException {
        SequencedSet<String> settings = new LinkedHashSet<>();
        SequencedSet<String> engines = new LinkedHashSet<>();
        for (Row r : rows) {
            settings.add(r.setting());
            engines.add(r.engine());
        }
        // A panel whose figure no engine reported (results from before that figure existed) is left out,
        // since XChart cannot scale an empty chart.
        List<CategoryChart> charts = PANELS.stream().map(p -> panel(p, rows, settings, engines))
                .filter(c -> !c.getSeriesMap().isEmpty()).toList();
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("no engine reported any figure to draw");
        }
        Path dir = png.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // A temporary name beside the target, created with the usual permissions (createTempFile's are
        // owner-only), then renamed over it: a reader never sees half a PNG.
        Path tmp = dir.resolve("." + png.getFileName() + ".tmp");
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                // XChart fills every cell of the grid: two by two, or fewer panels in one row.
                int gridRows = charts.size() == 4 ? 2 : 1;
                BitmapEncoder.saveBitmap(charts, gridRows, charts.size() / gridRows, out,
                        BitmapEncoder.BitmapFormat.PNG);
            }
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static CategoryChart panel(Panel p, List<Row> rows, SequencedSet<String> settings,
            SequencedSet<String> engines) {
        CategoryChart chart = new CategoryChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT).title(p.title())
                .xAxisTitle("setting").yAxisTitle(p.yAxis()).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        chart.getStyler().setLabelsVisible(true);
        // Upright labels, so that four or more bars per setting keep theirs readable.
        chart.getStyler().setLabelsRotation(90);
        chart.getStyler().setDecimalPattern(p.pattern());
        chart.getStyler().setYAxisDecimalPattern(p.pattern());
        chart.getStyler().setYAxisMin(0.0);
        for (String engine : engines) {
            List<Double> values = settings.stream().map(s -> rows.stream()
                    .filter(r -> r.setting().equals(s) && r.engine().equals(engine))
                    .map(p.value()).filter(v -> v != null).findFirst().orElse(null)).toList();
            // XChart draws a null as a gap, but cannot scale a series of nothing but gaps.
            if (values.stream().anyMatch(v -> v != null)) {
                chart.addSeries(engine, List.copyOf(settings), values);
            }
        }
        return chart;
    }

    /** The number in {@code column}, or null where the cell is empty. */
    private static Double number(CSVRecord r, String column) {
        if (!r.isMapped(column)) {
            throw new IllegalArgumentException("the CSV has no column " + column);
        }
        String v = r.get(column);
        if (v.isBlank()) {
            return null;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("column " + column + " of line " + r.getRecordNumber() + " is '" + v
                    + "': expected a number", e);
        }
    }
}
