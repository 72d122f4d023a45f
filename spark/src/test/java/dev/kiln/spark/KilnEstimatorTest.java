package dev.kiln.spark;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.History;
import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.callbacks.EarlyStopping;
import dev.kiln.callbacks.ModelCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkException;
import org.apache.spark.SparkFiles;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on Spark: one partition averaged after every step is Model.fit bit for bit; a task that fails is
 * retried and the fit ends where a fault-free one does; driver-side callbacks and validation work; bad
 * settings are refused by name.
 */
class KilnEstimatorTest {
    private static final TestData DATA = new TestData(300, 6, 3, 17);
    /** Attempts seen by the fault hook; the hook runs in this JVM under local[2]. */
    private static final AtomicInteger RETRIED = new AtomicInteger();

    private static Model model(long seed) {
        Kiln.setSeed(seed);
        // Dropout: its masks must be drawn again alike by a retried task and as Model.fit draws them.
        return Sequential.of(Input(6), Dense(16, "relu"), Dropout(0.2), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    private static void assertSameState(Model a, Model b) {
        List<float[]> wa = a.getWeights();
        List<float[]> wb = b.getWeights();
        for (int i = 0; i < wa.size(); i++) {
            assertArrayEquals(wa.get(i), wb.get(i), "weight " + i);
        }
        List<float[]> sa = a.getOptimizerSlots();
        List<float[]> sb = b.getOptimizerSlots();
        for (int i = 0; i < sa.size(); i++) {
            assertArrayEquals(sa.get(i), sb.get(i), "optimizer slot " + i);
        }
        assertEquals(a.iterations(), b.iterations(), "iterations");
    }

    @Test
    void onePartitionAveragedAfterEveryStepIsModelFitBitForBit() {
        SparkSession spark = LocalSpark.get();
        try (Model alone = model(7); Model copy = model(7)) {
            History expected = alone.fit(DATA.x, DATA.y, epochs(3), batchSize(16), verbose(0));
            KilnTransformer trained = new KilnEstimator(copy).setEpochs(3).setBatchSize(16).setStepsPerRound(1)
                    .setVerbose(0).fit(DATA.frame(spark, 1));
            try (Model spark1 = trained.kilnModel()) {
                assertSameState(alone, spark1);
            }
            List<Double> want = expected.history().get("loss");
            List<Double> got = trained.history().history().get("loss");
            for (int e = 0; e < want.size(); e++) {
                assertEquals(want.get(e), got.get(e), 1e-5, "epoch " + e + " loss");
            }
        }
    }

    @Test
    void aTaskThatFailsIsRetriedAndTheFitEndsAsAFaultFreeOne() {
        SparkSession spark = LocalSpark.get();
        Dataset<Row> frame = DATA.frame(spark, 2);
        try (Model a = model(9); Model b = model(9)) {
            KilnTransformer clean = new KilnEstimator(a).setEpochs(2).setBatchSize(16).setStepsPerRound(3)
                    .setVerbose(0).fit(frame);
            RETRIED.set(0);
            KilnTransformer faulty = new KilnEstimator(b).setEpochs(2).setBatchSize(16).setStepsPerRound(3)
                    .setVerbose(0).setRoundHook((round, partition, attempt) -> {
                        if (round == 2 && partition == 1) {
                            RETRIED.incrementAndGet();
                            if (attempt == 0) {
                                throw new IllegalStateException("injected failure in round 2, partition 1");
                            }
                        }
                    }).fit(frame);
            assertEquals(2, RETRIED.get(), "the failed task ran once more");
            try (Model x = clean.kilnModel(); Model y = faulty.kilnModel()) {
                assertSameState(x, y);
            }
            assertEquals(clean.history().history(), faulty.history().history());
        }
    }

    /**
     * The average must not depend on which task ends first: the two runs delay the partitions' tasks in
     * opposite orders (the hook runs before each replica trains). 4 partitions are summed on the driver,
     * 10 through the two-level tree ({@link OrderedSum}).
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 10})
    void partitionsGiveBitIdenticalWeightsWhicheverTaskEndsFirst(int partitions) {
        SparkSession spark = LocalSpark.get();
        Dataset<Row> frame = DATA.frame(spark, partitions);
        try (Model a = model(13); Model b = model(13)) {
            KilnTransformer first = new KilnEstimator(a).setEpochs(2).setBatchSize(8).setStepsPerRound(2)
                    .setVerbose(0).setRoundHook((round, partition, attempt) -> pause(partition)).fit(frame);
            KilnTransformer second = new KilnEstimator(b).setEpochs(2).setBatchSize(8).setStepsPerRound(2)
                    .setVerbose(0).setRoundHook((round, partition, attempt) -> pause(partitions - 1 - partition))
                    .fit(frame);
            try (Model x = first.kilnModel(); Model y = second.kilnModel()) {
                assertSameState(x, y);
            }
            assertEquals(first.history().history(), second.history().history());
        }
    }

    private static void pause(int units) {
        try {
            Thread.sleep(3L * units);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while delaying a replica task", e);
        }
    }

    @Test
    void driverCallbacksAndValidationSeeTheAveragedModel(@TempDir Path dir) {
        SparkSession spark = LocalSpark.get();
        TestData validation = new TestData(60, 6, 3, 23);
        try (Model m = model(5)) {
            Path checkpoint = dir.resolve("epoch-{epoch}.kiln");
            KilnTransformer trained = new KilnEstimator(m).setEpochs(30).setBatchSize(32).setStepsPerRound(2)
                    .setVerbose(0).setValidationData(validation.frame(spark, 1))
                    .setCallbacks(List.of(new EarlyStopping().monitor("val_loss").patience(1).minDelta(0.5),
                            new ModelCheckpoint(checkpoint.toString())))
                    .fit(DATA.frame(spark, 2));
            History h = trained.history();
            assertTrue(h.history().containsKey("val_accuracy"), h.history().keySet().toString());
            int ran = h.epoch().size();
            assertTrue(ran < 30, "EarlyStopping (min delta 0.5) stopped the run, which ran " + ran + " epochs");
            assertTrue(Files.exists(dir.resolve("epoch-" + ran + ".kiln")), "ModelCheckpoint wrote the last epoch");
        }
    }

    /**
     * The executors write the shipped model to Spark's files directory and load it from there; what they
     * find there when it is damaged (or is not a file: as a vanished file looks to them) fails the fit,
     * after Spark's retries, with the file's path.
     */
    @Test
    void aCorruptOrMissingModelFileOnTheExecutorFailsTheFitNamingIt() throws Exception {
        SparkSession spark = LocalSpark.get();
        Dataset<Row> frame = DATA.frame(spark, 2);
        try (Model m = model(21)) {
            KilnEstimator estimator = new KilnEstimator(m).setEpochs(1).setBatchSize(16).setVerbose(0);
            String sha = estimator.modelBytes().sha256();
            // local mode: the executor's files directory is the driver's
            Path file = Path.of(SparkFiles.getRootDirectory(), "kiln-models", "model-" + sha.substring(0, 16) + ".kiln");
            Files.createDirectories(file.getParent());
            try {
                Files.writeString(file, "not a Kiln model");
                SparkException e = assertThrows(SparkException.class, () -> estimator.fit(frame));
                assertTrue(e.getMessage().contains("Kiln model file " + file) && e.getMessage().contains("is corrupt"),
                        e.getMessage());

                Files.delete(file);
                Files.createDirectory(file);
                e = assertThrows(SparkException.class, () -> estimator.fit(frame));
                assertTrue(e.getMessage().contains("Kiln model file " + file + " is missing"), e.getMessage());
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void refusesBadSettingsNamingThem() {
        SparkSession spark = LocalSpark.get();
        try (Model m = model(1)) {
            KilnEstimator estimator = new KilnEstimator(m);
            assertThrows(IllegalArgumentException.class, () -> estimator.setStepsPerRound(0));
            assertThrows(IllegalArgumentException.class, () -> estimator.setEpochs(0));
            var e = assertThrows(IllegalArgumentException.class,
                    () -> estimator.setLabelCol("klass").fit(DATA.frame(spark, 1)));
            assertTrue(e.getMessage().contains("no label column 'klass'"), e.getMessage());
            Model unbuilt = Sequential.of(Dense(3, "softmax")).compile("adam", "sparse_categorical_crossentropy");
            e = assertThrows(IllegalArgumentException.class, () -> new KilnEstimator(unbuilt));
            assertTrue(e.getMessage().contains("not built"), e.getMessage());
            unbuilt.close();
        }
    }
}
