package dev.kiln.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;

/**
 * One partition's training rows, gathered once into the arrays {@code Model.fit} takes and cached by
 * Spark for every round: features, and either class numbers (sparse categorical losses) or one target
 * value per row. Rows keep the partition's order, which is what makes a run repeatable.
 */
final class PartitionRows implements Serializable {
    private static final long serialVersionUID = 1L;

    final float[][] x;
    /** Class numbers, or null when {@link #targets} holds the labels. */
    final int[] classes;
    final float[][] targets;

    private PartitionRows(float[][] x, int[] classes, float[][] targets) {
        this.x = x;
        this.classes = classes;
        this.targets = targets;
    }

    /** Reads rows of (features, label) at {@code features} and {@code label}'s index in each row. */
    static PartitionRows read(Iterator<Row> rows, FeatureColumn features, int label, String labelName,
            boolean sparseLabels) {
        List<float[]> x = new ArrayList<>();
        List<Double> y = new ArrayList<>();
        while (rows.hasNext()) {
            Row row = rows.next();
            float[] f = new float[features.width()];
            features.read(row, f, 0);
            if (row.isNullAt(label)) {
                throw new IllegalArgumentException("label column '" + labelName + "' holds a null in row " + x.size()
                        + " of this partition");
            }
            double v = ((Number) row.get(label)).doubleValue();
            if (sparseLabels && (v != Math.rint(v) || v < 0 || v > Integer.MAX_VALUE)) {
                throw new IllegalArgumentException("label column '" + labelName + "' holds " + v
                        + ", but a sparse categorical loss needs class numbers 0, 1, 2, ...");
            }
            x.add(f);
            y.add(v);
        }
        float[][] xs = x.toArray(float[][]::new);
        if (sparseLabels) {
            int[] classes = new int[y.size()];
            for (int i = 0; i < classes.length; i++) {
                classes[i] = (int) (double) y.get(i);
            }
            return new PartitionRows(xs, classes, null);
        }
        float[][] targets = new float[y.size()][1];
        for (int i = 0; i < targets.length; i++) {
            targets[i][0] = (float) (double) y.get(i);
        }
        return new PartitionRows(xs, null, targets);
    }

    int count() {
        return x.length;
    }
}
