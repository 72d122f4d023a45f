package dev.kiln;

import de.erichseifert.vectorgraphics2d.Processors;
import de.erichseifert.vectorgraphics2d.VectorGraphics2D;
import de.erichseifert.vectorgraphics2d.util.PageSize;
import dev.kiln.core.io.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Draws a {@link History} with XChart: one panel per metric (loss first), each with the training
 * curve and, when there was validation, the validation curve, against the epoch counted from 1.
 * PNG, or SVG when the file name ends in {@code .svg}; written atomically.
 */
final class HistoryPlot {
    private static final int PANEL_WIDTH = 640;
    private static final int PANEL_HEIGHT = 440;
    private static final String VALIDATION_PREFIX = "val_";
    private static final Color TRAINING_COLOR = new Color(0x1f, 0x77, 0xb4);
    private static final Color VALIDATION_COLOR = new Color(0xff, 0x7f, 0x0e);

    private HistoryPlot() {
    }

    static void write(History history, Path path) throws IOException {
        if (path == null) {
            throw new IllegalArgumentException("plot needs a path, got null");
        }
        if (System.getProperty("java.awt.headless") == null) {
            // Servers and CI have no display; plotting must not need one.
            System.setProperty("java.awt.headless", "true");
        }
        List<XYChart> charts = charts(history);
        int columns = Math.min(charts.size(), 2);
        int rows = (charts.size() + columns - 1) / columns;
        int width = columns * PANEL_WIDTH;
        int height = rows * PANEL_HEIGHT;
        boolean svg = path.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".svg");
        if (svg) {
            VectorGraphics2D g = new VectorGraphics2D();
            paint(g, charts, columns, width, height);
            var document = Processors.get("svg").getDocument(g.getCommands(), new PageSize(0, 0, width, height));
            AtomicFiles.write(path, document::writeTo);
        } else {
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                paint(g, charts, columns, width, height);
            } finally {
                g.dispose();
            }
            AtomicFiles.write(path, out -> {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException("no PNG writer in this JDK");
                }
            });
        }
    }

    private static void paint(Graphics2D g, List<XYChart> charts, int columns, int width, int height) {
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        AffineTransform base = g.getTransform();
        for (int i = 0; i < charts.size(); i++) {
            g.setTransform(base);
            g.translate((i % columns) * PANEL_WIDTH, (i / columns) * PANEL_HEIGHT);
            charts.get(i).paint(g, PANEL_WIDTH, PANEL_HEIGHT);
        }
        g.setTransform(base);
    }

    /** One chart per metric; {@code val_x} joins the panel of {@code x}. */
    static List<XYChart> charts(History history) {
        Map<String, List<Double>> values = history.history();
        List<Integer> epochs = history.epoch();
        if (epochs.isEmpty() || values.isEmpty()) {
            throw new IllegalStateException("the history is empty: nothing to plot (fit for at least one epoch)");
        }
        double[] x = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = epochs.get(i) + 1; // Keras counts epochs from 1 when it prints them
        }
        Map<String, String[]> panels = new LinkedHashMap<>(); // metric -> {training key, validation key}
        for (String key : values.keySet()) {
            String metric = key.startsWith(VALIDATION_PREFIX) ? key.substring(VALIDATION_PREFIX.length()) : key;
            String[] pair = panels.computeIfAbsent(metric, k -> new String[2]);
            pair[key.startsWith(VALIDATION_PREFIX) ? 1 : 0] = key;
        }
        List<XYChart> charts = new ArrayList<>();
        for (Map.Entry<String, String[]> panel : panels.entrySet()) {
            XYChart chart = new XYChartBuilder().width(PANEL_WIDTH).height(PANEL_HEIGHT)
                    .title(title(panel.getKey())).xAxisTitle("epoch").yAxisTitle(panel.getKey()).build();
            String legendKey = panel.getValue()[0] != null ? panel.getValue()[0] : panel.getValue()[1];
            style(chart, x.length, rising(values.get(legendKey)));
            if (panel.getValue()[0] != null) {
                line(chart, "training", x, values.get(panel.getValue()[0]), TRAINING_COLOR, false);
            }
            if (panel.getValue()[1] != null) {
                line(chart, "validation", x, values.get(panel.getValue()[1]), VALIDATION_COLOR, true);
            }
            charts.add(chart);
        }
        return charts;
    }

    private static String title(String metric) {
        return switch (metric) {
            case "loss" -> "Loss";
            case "accuracy", "acc" -> "Accuracy";
            default -> metric.substring(0, 1).toUpperCase(Locale.ROOT) + metric.substring(1).replace('_', ' ');
        };
    }

    /** Rising curves (accuracy) leave the top right corner free, falling ones (loss) the bottom right. */
    private static boolean rising(List<Double> v) {
        return v.size() > 1 && v.get(v.size() - 1) > v.get(0);
    }

    private static void style(XYChart chart, int points, boolean rising) {
        var styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setPlotBorderVisible(true);
        styler.setLegendPosition(rising ? Styler.LegendPosition.InsideSE : Styler.LegendPosition.InsideNE);
        styler.setLegendBorderColor(Color.LIGHT_GRAY);
        styler.setMarkerSize(points > 40 ? 0 : 6);
        styler.setAntiAlias(true);
        styler.setChartPadding(12);
        // Epochs are whole numbers: label only the ticks that fall on one.
        chart.setCustomXAxisTickLabelsFormatter(v -> Math.abs(v - Math.rint(v)) < 1e-9
                ? Long.toString(Math.round(v)) : "");
        styler.setYAxisDecimalPattern("0.####");
    }

    private static void line(XYChart chart, String name, double[] x, List<Double> y, Color color, boolean dashed) {
        double[] ys = new double[x.length];
        for (int i = 0; i < ys.length; i++) {
            ys[i] = i < y.size() ? y.get(i) : Double.NaN;
        }
        XYSeries series = chart.addSeries(name, x, ys);
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setLineStyle(dashed
                ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {6f, 4f}, 0f)
                : new BasicStroke(2f));
    }
}
