package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.metrics.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Sums the loss and metric reductions of the batches of one pass (an epoch, an evaluation), so that
 * batches of any size combine into exact means: the loss weighted by batch size, each metric over the
 * items it counts, and confusion-count metrics (precision, recall, AUC) from the summed counts.
 */
final class BatchTotals {
    private final List<Metric> metrics;
    private final List<MetricReduction> reductions;
    private final double[][] metricSums;
    private final long[] metricCounts;
    private double lossSum;
    private long rows;

    BatchTotals(List<Metric> metrics, List<MetricReduction> reductions) {
        this.metrics = metrics;
        this.reductions = reductions;
        this.metricSums = new double[reductions.size()][];
        for (int i = 0; i < metricSums.length; i++) {
            metricSums[i] = new double[reductions.get(i).sums()];
        }
        this.metricCounts = new long[reductions.size()];
    }

    /** Adds what the graph's last train or evaluate step measured on {@code batchRows} rows. */
    void add(CompiledGraph graph, int batchRows) {
        rows += batchRows;
        lossSum += graph.lossSum();
        for (int i = 0; i < metricSums.length; i++) {
            graph.addMetricSums(i, metricSums[i]);
            metricCounts[i] += reductions.get(i).count(batchRows, graph.outputWidth());
        }
    }

    /** The mean of {@code "loss"} or of a metric by name so far, or null for another name or before any batch. */
    Double mean(String name) {
        if (rows == 0) {
            return null;
        }
        if (name.equals("loss")) {
            return lossSum / rows;
        }
        for (int i = 0; i < metricSums.length; i++) {
            if (metrics.get(i).name().equals(name)) {
                return metrics.get(i).result(metricSums[i], metricCounts[i]);
            }
        }
        return null;
    }

    /** {@code prefix + "loss"} and {@code prefix + metric name} → mean, in Keras' order. */
    Map<String, Double> means(String prefix) {
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(prefix + "loss", lossSum / rows);
        for (int i = 0; i < metricSums.length; i++) {
            out.put(prefix + metrics.get(i).name(), metrics.get(i).result(metricSums[i], metricCounts[i]));
        }
        return out;
    }
}
