package dev.kiln.spark;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkException;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.functions;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scoring a DataFrame: the transformer's probabilities are the model's predict, bit for bit, whatever the
 * partitioning, the batch size and the feature column's type; it works as a Pipeline stage, saves and loads
 * as Spark ML stages do, and a damaged model file fails with its name.
 */
class KilnTransformerTest {
    private static final TestData DATA = new TestData(257, 6, 3, 11);
    private static Model model;
    private static float[][] expected;

    @BeforeAll
    static void train() {
        Kiln.setSeed(3);
        model = Sequential.of(Input(6), Dense(8, "relu"), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
        model.fit(DATA.x, DATA.y, dev.kiln.FitOption.epochs(2), dev.kiln.FitOption.verbose(0));
        expected = model.predict(DATA.x);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static void assertScores(Dataset<Row> scored, String probability, String prediction) {
        List<Row> rows = scored.orderBy("id").collectAsList();
        assertEquals(DATA.x.length, rows.size());
        for (Row row : rows) {
            int id = row.getInt(row.fieldIndex("id"));
            double[] p = ((Vector) row.get(row.fieldIndex(probability))).toArray();
            double[] want = new double[expected[id].length];
            int best = 0;
            for (int j = 0; j < want.length; j++) {
                want[j] = expected[id][j];
                best = expected[id][j] > expected[id][best] ? j : best;
            }
            assertArrayEquals(want, p, "row " + id);
            assertEquals(best, row.getDouble(row.fieldIndex(prediction)), "row " + id);
        }
    }

    @Test
    void scoresEveryRowAsPredictDoesInAnyPartitioningAndBatchSize() {
        SparkSession spark = LocalSpark.get();
        KilnTransformer scorer = KilnTransformer.fromModel(model);
        assertScores(scorer.transform(DATA.frame(spark, 3)), "probability", "prediction");
        scorer.setBatchSize(10).setProbabilityCol("p").setPredictionCol("cls");
        assertScores(scorer.transform(DATA.frame(spark, 1)), "p", "cls");
    }

    @Test
    void readsVectorColumnsAndRunsInAPipelineThatSavesAndLoads(@TempDir Path dir) throws Exception {
        SparkSession spark = LocalSpark.get();
        Dataset<Row> vectors = DATA.frame(spark, 2).withColumn("vec", functions.array_to_vector(
                org.apache.spark.sql.functions.col("features")));
        KilnTransformer scorer = KilnTransformer.fromModel(model).setFeaturesCol("vec");
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[] {scorer});
        PipelineModel fitted = pipeline.fit(vectors);
        assertScores(fitted.transform(vectors), "probability", "prediction");
        String path = dir.resolve("pipeline").toString();
        fitted.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        assertScores(loaded.transform(vectors), "probability", "prediction");
        assertEquals("vec", ((KilnTransformer) loaded.stages()[0]).getFeaturesCol());
        assertTrue(new VectorAssembler() != null); // the module's users assemble vectors with Spark's own tools
    }

    @Test
    void savesAndLoadsAsASparkMlStageKeepingItsParams(@TempDir Path dir) throws Exception {
        SparkSession spark = LocalSpark.get();
        Path file = dir.resolve("fashion.kiln");
        model.save(file);
        KilnTransformer scorer = KilnTransformer.fromFile(file).setPredictionCol("klass").setBatchSize(7);
        String path = dir.resolve("scorer").toString();
        scorer.write().save(path);
        KilnTransformer loaded = KilnTransformer.load(path);
        assertEquals(scorer.uid(), loaded.uid());
        assertEquals("klass", loaded.getPredictionCol());
        assertEquals(7, loaded.getBatchSize());
        assertScores(loaded.transform(DATA.frame(spark, 2)), "probability", "klass");
    }

    @Test
    void aMissingOrDamagedModelFileFailsNamingIt(@TempDir Path dir) throws Exception {
        SparkSession spark = LocalSpark.get();
        Path absent = dir.resolve("absent.kiln");
        Exception e = assertThrows(java.io.IOException.class, () -> KilnTransformer.fromFile(absent));
        assertTrue(e.getMessage().contains(absent.toString()), e.getMessage());

        String path = dir.resolve("scorer").toString();
        KilnTransformer.fromModel(model).write().save(path);
        Files.delete(Path.of(path, "model.kiln"));
        e = assertThrows(RuntimeException.class, () -> KilnTransformer.load(path));
        assertTrue(e.getMessage().contains(Path.of(path, "model.kiln").toString()), e.getMessage());

        // A file damaged on its way: the driver's check is bypassed, so the executors meet it.
        byte[] bytes = KilnTransformer.fromModel(model).modelBytes().bytes();
        bytes[bytes.length / 2] ^= 0x5A;
        bytes[bytes.length / 2 + 1] ^= 0x5A;
        ModelBytes damaged = ModelBytes.unchecked("damaged.kiln", bytes);
        Dataset<Row> frame = DATA.frame(spark, 2);
        FeatureColumn features = FeatureColumn.of(frame.schema(), "features", 6);
        var broadcast = new org.apache.spark.api.java.JavaSparkContext(spark.sparkContext()).broadcast(damaged);
        SparkException failed = assertThrows(SparkException.class, () -> frame.toDF().javaRDD()
                .mapPartitions(new ScorePartition(broadcast, features, 16)).count());
        assertTrue(failed.getMessage().contains("Kiln model file ") && failed.getMessage().contains("damaged-"),
                failed.getMessage());
    }

    @Test
    void refusesColumnsItCannotReadNamingThem() {
        SparkSession spark = LocalSpark.get();
        KilnTransformer scorer = KilnTransformer.fromModel(model);
        Dataset<Row> frame = DATA.frame(spark, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> scorer.setFeaturesCol("pixels").transform(frame));
        assertTrue(e.getMessage().contains("no features column 'pixels'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scorer.setFeaturesCol("label").transform(frame));
        assertTrue(e.getMessage().contains("features column 'label' is int"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> scorer.setFeaturesCol("features").setPredictionCol("id")
                .transform(frame));
        assertTrue(e.getMessage().contains("already has a column 'id'"), e.getMessage());
        Dataset<Row> narrow = TestData.frame(spark, new float[][] {{1, 2}}, new int[] {0}, 1);
        SparkException failed = assertThrows(SparkException.class,
                () -> scorer.setPredictionCol("prediction").transform(narrow).count());
        assertTrue(failed.getMessage().contains("has a row of 2 values but the model takes 6"), failed.getMessage());
    }
}
