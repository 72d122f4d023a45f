package dev.kiln.spark;

import java.io.Serializable;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sum that one averaging round adds up over the replicas ({@link OrderedSum}): every weight
 * and optimizer slot weighted by the rows the replica trained on (in double, so one replica's sum divided by
 * its rows gives back its own floats exactly), the rows, the most steps any replica took, the loss and metric
 * sums, and which partitions contributed. The partitions are a set, and merging two sums that share one is
 * refused: a retried or speculative task can replace an attempt but never add to it.
 */
final class RoundSum implements Serializable {
    private static final long serialVersionUID = 1L;

    private double[][] weights;
    private double[][] slots;
    private long rows;
    private int maxSteps;
    private final Map<String, Double> logSums = new LinkedHashMap<>();
    private final BitSet partitions = new BitSet();

    /** Adds partition {@code partition}'s replica after it trained {@code steps} steps on {@code rows} rows. */
    RoundSum add(int partition, List<float[]> w, List<float[]> s, int rows, int steps, Map<String, Double> logs) {
        claim(partition);
        if (rows == 0) {
            return this; // its epoch's rows were used up: it has nothing to add to the average
        }
        weights = accumulate(weights, w, rows);
        slots = accumulate(slots, s, rows);
        this.rows += rows;
        maxSteps = Math.max(maxSteps, steps);
        logs.forEach((k, v) -> logSums.merge(k, v * rows, Double::sum));
        return this;
    }

    /** Records that {@code partition} took part though it trained no rows this round. */
    RoundSum idle(int partition) {
        claim(partition);
        return this;
    }

    RoundSum merge(RoundSum other) {
        if (partitions.intersects(other.partitions)) {
            BitSet both = (BitSet) partitions.clone();
            both.and(other.partitions);
            throw new IllegalStateException("partitions " + both + " were counted twice in one averaging round");
        }
        partitions.or(other.partitions);
        if (other.rows > 0) {
            weights = add(weights, other.weights);
            slots = add(slots, other.slots);
            rows += other.rows;
            maxSteps = Math.max(maxSteps, other.maxSteps);
            other.logSums.forEach((k, v) -> logSums.merge(k, v, Double::sum));
        }
        return this;
    }

    private void claim(int partition) {
        if (partitions.get(partition)) {
            throw new IllegalStateException("partition " + partition + " was counted twice in one averaging round");
        }
        partitions.set(partition);
    }

    int partitionCount() {
        return partitions.cardinality();
    }

    long rows() {
        return rows;
    }

    int maxSteps() {
        return maxSteps;
    }

    Map<String, Double> logSums() {
        return logSums;
    }

    List<float[]> averageWeights() {
        return average(weights);
    }

    List<float[]> averageSlots() {
        return average(slots);
    }

    private List<float[]> average(double[][] sums) {
        float[][] out = new float[sums.length][];
        for (int i = 0; i < sums.length; i++) {
            out[i] = new float[sums[i].length];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = (float) (sums[i][j] / rows);
            }
        }
        return List.of(out);
    }

    private static double[][] accumulate(double[][] sums, List<float[]> values, int rows) {
        if (sums == null) {
            sums = new double[values.size()][];
            for (int i = 0; i < sums.length; i++) {
                sums[i] = new double[values.get(i).length];
            }
        }
        for (int i = 0; i < sums.length; i++) {
            float[] v = values.get(i);
            double[] s = sums[i];
            for (int j = 0; j < s.length; j++) {
                s[j] += (double) v[j] * rows; // exact: a float's 24 bits times rows < 2^29 fit a double's 53
            }
        }
        return sums;
    }

    private static double[][] add(double[][] sums, double[][] more) {
        if (sums == null) {
            return more;
        }
        for (int i = 0; i < sums.length; i++) {
            for (int j = 0; j < sums[i].length; j++) {
                sums[i][j] += more[i][j];
            }
        }
        return sums;
    }
}
