package dev.kiln.spark;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The estimator and transformer on a real standalone cluster (a Master and two Workers on loopback, one
 * 1-core executor JVM each): training on 2 partitions and scoring there give what they give in one JVM,
 * and an executor JVM killed in the middle of a round ({@code Runtime.halt}, no shutdown hooks) costs a
 * retry, not the fit: the Master starts a new executor, Spark recomputes the lost cached rows, and the fit
 * ends with a fault-free run's weights, bit for bit.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StandaloneClusterTest {
    private static final TestData DATA = new TestData(400, 6, 3, 29);
    private static LoopbackCluster cluster;
    private static SparkSession spark;

    @TempDir
    static Path dir;

    @BeforeAll
    static void startCluster() throws Exception {
        LocalSpark.stop(); // one SparkContext per JVM
        cluster = new LoopbackCluster(dir.resolve("cluster"), 2);
        SparkSession.Builder builder = SparkSession.builder().master(cluster.masterUrl()).appName("kiln-cluster-test");
        cluster.sparkConf().forEach(builder::config);
        spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (spark.sparkContext().getExecutorMemoryStatus().size() < 3) { // the driver and two executors
            if (System.nanoTime() > end) {
                throw new IllegalStateException("the two executors did not register within 90 s; worker-0's log:\n"
                        + cluster.log("worker-0"));
            }
            Thread.sleep(200);
        }
    }

    @AfterAll
    static void stopCluster() {
        try {
            if (spark != null) {
                spark.stop();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }

    private static Model model() {
        Kiln.setSeed(31);
        // Dropout: the replica rebuilt after the halt must draw the masks the lost one would have drawn.
        return Sequential.of(Input(6), Dense(16, "relu"), Dropout(0.2), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    private static KilnTransformer fit(RoundHook hook) {
        try (Model m = model()) {
            return new KilnEstimator(m).setEpochs(3).setBatchSize(16).setStepsPerRound(3).setVerbose(0)
                    .setRoundHook(hook).fit(DATA.frame(spark, 2));
        }
    }

    @Test
    void trainsScoresAndSurvivesAnExecutorKilledMidRound() throws IOException {
        KilnTransformer clean = fit(null);
        Path marker = dir.resolve("killed-once");
        String markerPath = marker.toString();
        KilnTransformer survived = fit((round, partition, attempt) -> {
            // Round 1 (the second), partition 1: the first executor to run it dies before training.
            if (round == 1 && partition == 1) {
                try {
                    Files.createFile(Path.of(markerPath));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    return;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                Runtime.getRuntime().halt(137);
            }
        });
        assertTrue(Files.exists(marker), "the hook killed an executor");
        try (Model a = clean.kilnModel(); Model b = survived.kilnModel()) {
            List<float[]> wa = a.getWeights();
            List<float[]> wb = b.getWeights();
            for (int i = 0; i < wa.size(); i++) {
                assertArrayEquals(wa.get(i), wb.get(i), "weight " + i);
            }
            assertEquals(a.iterations(), b.iterations());
            assertEquals(clean.history().history(), survived.history().history());

            // Scoring on the executors is the driver's predict, bit for bit.
            float[][] expected = a.predict(DATA.x);
            List<Row> rows = clean.transform(DATA.frame(spark, 2)).orderBy("id").collectAsList();
            assertEquals(DATA.x.length, rows.size());
            for (Row row : rows) {
                int id = row.getInt(row.fieldIndex("id"));
                double[] p = ((Vector) row.get(row.fieldIndex("probability"))).toArray();
                for (int j = 0; j < p.length; j++) {
                    assertEquals(expected[id][j], p[j], 0.0, "row " + id + " class " + j);
                }
            }
        }
        // It trained: the averaged model fits the rows better than the one it started from (with Dropout the
        // per-epoch training loss is too noisy on 400 rows to fall every epoch).
        try (Model start = model(); Model trained = clean.kilnModel()) {
            double before = start.evaluate(DATA.x, DATA.y).get("loss");
            double after = trained.evaluate(DATA.x, DATA.y).get("loss");
            assertTrue(after < before, "the loss fell from " + before + " to " + after);
        }
    }
}
