package dev.kiln.spark.examples;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.Datasets;
import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.spark.KilnEstimator;
import dev.kiln.spark.KilnTransformer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code ./kiln demo --model spark}: Fashion-MNIST on Spark. Writes the images as Parquet rows (id,
 * pixels array&lt;float&gt;, label) unless they are there already, trains the 784-128-10 network
 * data-parallel with {@link KilnEstimator}, scores the test rows with the trained {@link KilnTransformer},
 * writes the predictions as Parquet, and ends with a JSON line: accuracy, training and scoring rows/s.
 *
 * <pre>{@code
 * ./kiln demo --model spark --epochs 5 --partitions 2 --steps-per-round 10 --master local[2]
 * spark-submit --class dev.kiln.spark.examples.SparkFashion --master spark://host:7077 ... \
 *     kiln-spark.jar --data hdfs:///fashion --partitions 16
 * }</pre>
 */
public final class SparkFashion {
    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.IntegerType, false)
            .add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)
            .add("label", DataTypes.IntegerType, false);

    private SparkFashion() {
    }

    public static void main(String[] args) throws Exception {
        SparkFashionOptions o = SparkFashionOptions.parse(args);
        SparkSession.Builder builder = SparkSession.builder().appName("kiln-fashion-mnist");
        if (o.master() != null) {
            builder.master(o.master()).config("spark.ui.enabled", "false");
        }
        SparkSession spark = builder.getOrCreate();
        try {
            run(spark, o);
        } finally {
            spark.stop();
        }
    }

    static void run(SparkSession spark, SparkFashionOptions o) throws Exception {
        String train = o.data() + "/train.parquet";
        String test = o.data() + "/test.parquet";
        if (o.data().startsWith("/") || !o.data().contains("://")) {
            if (!Files.isDirectory(Path.of(train)) || !Files.isDirectory(Path.of(test))) {
                writeParquet(spark, train, test);
            }
        }
        Kiln.setSeed(o.seed());
        try (Model model = Sequential.of(Input(784), Dense(128, "relu"), Dense(10, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            Dataset<Row> rows = spark.read().parquet(train).repartition(o.partitions());
            long trainRows = rows.count();
            long start = System.nanoTime();
            KilnTransformer trained = new KilnEstimator(model).setFeaturesCol("pixels").setLabelCol("label")
                    .setEpochs(o.epochs()).setBatchSize(o.batch()).setStepsPerRound(o.stepsPerRound())
                    .setVerbose(2).fit(rows);
            double trainSeconds = (System.nanoTime() - start) / 1e9;

            Dataset<Row> testRows = spark.read().parquet(test);
            long testCount = testRows.count();
            start = System.nanoTime();
            Dataset<Row> scored = trained.transform(testRows).select("id", "label", "prediction", "probability");
            scored.write().mode(SaveMode.Overwrite).parquet(o.data() + "/predictions.parquet");
            double scoreSeconds = (System.nanoTime() - start) / 1e9;
            long correct = spark.read().parquet(o.data() + "/predictions.parquet").filter("prediction = label").count();
            System.out.println(String.format(Locale.ROOT, "{\"model\": \"spark\", \"master\": \"%s\", \"partitions\": %d,"
                    + " \"epochs\": %d, \"batch\": %d, \"steps_per_round\": %d, \"test_accuracy\": %.4f,"
                    + " \"train_seconds\": %.2f, \"train_rows_per_s\": %.0f, \"score_seconds\": %.2f,"
                    + " \"score_rows_per_s\": %.0f, \"predictions\": \"%s\"}",
                    spark.sparkContext().master(), o.partitions(), o.epochs(), o.batch(), o.stepsPerRound(),
                    correct / (double) testCount, trainSeconds, o.epochs() * trainRows / trainSeconds, scoreSeconds,
                    testCount / scoreSeconds, o.data() + "/predictions.parquet"));
        }
    }

    /** Fashion-MNIST from the local IDX files into two Parquet directories. */
    private static void writeParquet(SparkSession spark, String train, String test) throws Exception {
        Datasets.Split data = Datasets.fashionMnist();
        frame(spark, data.xTrain(), data.yTrain()).write().mode(SaveMode.Overwrite).parquet(train);
        frame(spark, data.xTest(), data.yTest()).write().mode(SaveMode.Overwrite).parquet(test);
    }

    private static Dataset<Row> frame(SparkSession spark, float[][] x, int[] y) {
        List<Row> rows = new ArrayList<>(x.length);
        for (int i = 0; i < x.length; i++) {
            rows.add(RowFactory.create(i, x[i], y[i]));
        }
        return spark.createDataFrame(JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(rows, 4), SCHEMA);
    }
}
