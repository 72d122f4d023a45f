package dev.kiln.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/** Small random classification data and the DataFrames made from it. */
final class TestData {
    static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("features", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.IntegerType, false);

    final float[][] x;
    final int[] y;

    TestData(int rows, int width, int classes, long seed) {
        Random r = new Random(seed);
        x = new float[rows][width];
        y = new int[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < width; j++) {
                x[i][j] = (float) r.nextGaussian();
            }
            // A learnable rule, so that training has something to find.
            y[i] = Math.floorMod((int) Math.floor(x[i][0] * 1.5 + x[i][1]), classes);
        }
    }

    /** The rows as a DataFrame (id, features array<float>, label) in {@code partitions} partitions, rows in order. */
    static Dataset<Row> frame(SparkSession spark, float[][] x, int[] y, int partitions) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            rows.add(RowFactory.create(i, x[i], y[i]));
        }
        // parallelize keeps the rows' order across partitions (contiguous slices).
        return spark.createDataFrame(
                new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext()).parallelize(rows, partitions), SCHEMA);
    }

    Dataset<Row> frame(SparkSession spark, int partitions) {
        return frame(spark, x, y, partitions);
    }
}
