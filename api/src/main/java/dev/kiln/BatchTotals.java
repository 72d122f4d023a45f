package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.metrics.Metric;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Sums the loss and metric reductions of the batches of one pass (an epoch, an evaluation), so that
 * batches of any size combine into exact means: the loss weighted by batch size, each metric over the
 * items it counts, and confusion-count metrics (precision, recall, AUC) from the summed counts.
 *
 * <p>For a model with several outputs it also sums each output's own loss, and names what it reports
 * as Keras 3 does: {@code loss} (the weighted total), {@code <output>_loss}, {@code <output>_<metric>},
 * sorted by name.
 */
final class BatchTotals {
    private final List<Metric> metrics;
    private final List<MetricReduction> reductions;
    /** The output each metric scores; all 0 for a model with one output. */
    private final int[] metricOutput;
    /** The output names of a model with several outputs; null for one output, whose keys have no prefix. */
    private final List<String> outputNames;
    private final double[] outputLossSums;
    private final double[][] metricSums;
    private final long[] metricCounts;
    private double lossSum;
    private long rows;

    BatchTotals(List<Metric> metrics, List<MetricReduction> reductions) {
        this(metrics, reductions, new int[metrics.size()], null);
    }

    /** {@code metrics} of every output one after another, {@code metricOutput[i]} the output metric i scores. */
    BatchTotals(List<Metric> metrics, List<MetricReduction> reductions, int[] metricOutput, List<String> outputNames) {
        this.metrics = metrics;
        this.reductions = reductions;
        this.metricOutput = metricOutput;
        this.outputNames = outputNames;
        this.outputLossSums = new double[outputNames == null ? 0 : outputNames.size()];
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
        for (int k = 0; k < outputLossSums.length; k++) {
            outputLossSums[k] += graph.outputLossSum(k);
        }
        for (int i = 0; i < metricSums.length; i++) {
            graph.addMetricSums(i, metricSums[i]);
            metricCounts[i] += reductions.get(i).count(batchRows, graph.outputWidth(metricOutput[i]));
        }
    }

    /** The mean of {@code "loss"} or of a metric by name so far, or null for another name or before any batch. */
    Double mean(String name) {
        if (rows == 0) {
            return null;
        }
        if (outputNames != null) {
            return means("").get(name);
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
        if (outputNames != null) {
            Map<String, Double> sorted = new TreeMap<>();
            sorted.put(prefix + "loss", lossSum / rows);
            for (int k = 0; k < outputLossSums.length; k++) {
                sorted.put(prefix + outputNames.get(k) + "_loss", outputLossSums[k] / rows);
            }
            for (int i = 0; i < metricSums.length; i++) {
                sorted.put(prefix + outputNames.get(metricOutput[i]) + "_" + metrics.get(i).name(),
                        metrics.get(i).result(metricSums[i], metricCounts[i]));
            }
            return new LinkedHashMap<>(sorted);
        }
        Map<String, Double> out = new LinkedHashMap<>();
        out.put(prefix + "loss", lossSum / rows);
        for (int i = 0; i < metricSums.length; i++) {
            out.put(prefix + metrics.get(i).name(), metrics.get(i).result(metricSums[i], metricCounts[i]));
        }
        return out;
    }
}
