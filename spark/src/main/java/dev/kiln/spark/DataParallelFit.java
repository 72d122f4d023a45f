package dev.kiln.spark;

import dev.kiln.History;
import dev.kiln.Model;
import dev.kiln.TrainingCallbacks;
import dev.kiln.callbacks.FitParams;
import dev.kiln.losses.SparseCategoricalCrossentropy;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The driver's loop of {@link KilnEstimator#fit}: rows are gathered once per partition and cached; then
 * per epoch and round, the driver broadcasts the current state, every partition trains its replica for the
 * round's steps ({@link TrainRound}), the replicas' sums ({@link RoundSum}) are added in partition order
 * ({@link OrderedSum}, so that a run does not depend on which task finished first), and the driver model
 * takes the average, which the callbacks then see.
 *
 * <p>Why ordinary jobs and not a barrier stage's {@code allGather}: the average is needed on the driver
 * anyway (callbacks, checkpoints, the next broadcast), a failed task is retried alone instead of
 * restarting every task of a barrier stage, partitions may outnumber the cores (a barrier stage needs
 * them all running at once), and the sums travel as Spark's serialized task results rather than as
 * strings through the barrier coordinator's RPC.
 */
final class DataParallelFit {
    private static final Logger LOG = LoggerFactory.getLogger(DataParallelFit.class);

    private final KilnEstimator estimator;

    DataParallelFit(KilnEstimator estimator) {
        this.estimator = estimator;
    }

    KilnTransformer run(Dataset<?> dataset) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        String fitId = UUID.randomUUID().toString();
        int batch = estimator.getBatchSize();
        int period = estimator.getStepsPerRound();
        int epochs = estimator.getEpochs();
        ModelBytes shippedModel = estimator.modelBytes();
        Broadcast<ModelBytes> modelBroadcast = sc.broadcast(shippedModel);
        JavaRDD<PartitionRows> blocks = null;
        try (Model driver = shippedModel.load()) {
            boolean sparse = driver.loss() instanceof SparseCategoricalCrossentropy;
            FeatureColumn features = FeatureColumn.of(dataset.schema(), estimator.getFeaturesCol(), driver.inputWidth());
            String labelName = estimator.getLabelCol();
            int label = dataset.schema().fieldIndex(labelName);
            blocks = dataset.toDF().javaRDD()
                    .mapPartitions((Iterator<Row> rows) -> List.of(PartitionRows.read(rows, features, label, labelName,
                            sparse)).iterator())
                    .persist(StorageLevel.MEMORY_AND_DISK());
            List<Integer> counts = blocks.map(PartitionRows::count).collect(); // fills the cache
            int stepsPerEpoch = 0;
            long total = 0;
            for (int n : counts) {
                stepsPerEpoch = Math.max(stepsPerEpoch, (n + batch - 1) / batch);
                total += n;
            }
            if (total == 0) {
                throw new IllegalArgumentException("the training DataFrame has no rows");
            }
            int roundsPerEpoch = (stepsPerEpoch + period - 1) / period;
            int[] rowCounts = counts.stream().mapToInt(Integer::intValue).toArray();
            PartitionRows validation = validationRows(features, labelName, sparse);
            TrainingCallbacks run = TrainingCallbacks.start(driver,
                    new FitParams(epochs, roundsPerEpoch, estimator.getVerbose(), 0), estimator.callbacks());
            Map<String, Double> logs = Map.of();
            int round = 0;
            for (int epoch = 0; epoch < epochs; epoch++) {
                run.epochBegin(epoch);
                long start = System.nanoTime();
                Map<String, Double> sums = new LinkedHashMap<>();
                long rows = 0;
                for (int r = 0; r < roundsPerEpoch && !driver.isStopTrainingRequested(); r++, round++) {
                    run.batchBegin(r);
                    RoundSum sum = round(sc, blocks, driver, new TrainRound(fitId, modelBroadcast, null, round, epoch,
                            r * period, period, batch, estimator.getShuffle(), estimator.hook(), rowCounts), counts.size());
                    rows += sum.rows();
                    sum.logSums().forEach((k, v) -> sums.merge(k, v, Double::sum));
                    run.batchEnd(r, means(sums, rows));
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                Map<String, Double> epochLogs = means(sums, rows);
                if (validation != null) {
                    Map<String, Double> val = validation.classes != null
                            ? driver.evaluate(validation.x, validation.classes)
                            : driver.evaluate(validation.x, validation.targets);
                    val.forEach((k, v) -> epochLogs.put("val_" + k, v));
                }
                logs = epochLogs;
                run.epochEnd(epoch, logs, seconds);
                if (driver.isStopTrainingRequested()) {
                    break;
                }
            }
            History history = run.end(logs);
            KilnTransformer trained = KilnTransformer.fromModel(driver);
            trained.setHistory(history);
            return trained;
        } finally {
            if (blocks != null) {
                releaseReplicas(blocks, fitId);
                blocks.unpersist(false);
            }
            modelBroadcast.destroy();
            Replicas.release(fitId); // the driver's own, in local mode
        }
    }

    /**
     * Frees the fit's replicas on the executors that hold them (the cached partitions run where the rounds
     * ran). Best effort: an executor lost since keeps nothing, and a failure here must not hide the fit's.
     */
    private static void releaseReplicas(JavaRDD<PartitionRows> blocks, String fitId) {
        try {
            blocks.foreachPartition(rows -> Replicas.release(fitId));
        } catch (RuntimeException e) {
            LOG.warn("could not release the replicas of fit {} on every executor: {}", fitId, e.getMessage());
        }
    }

    /**
     * One round: broadcast the driver's state, train every partition, average. Checks that every partition
     * was counted exactly once before the driver model takes the average.
     */
    private static RoundSum round(JavaSparkContext sc, JavaRDD<PartitionRows> blocks, Model driver, TrainRound plan,
            int partitions) {
        ReplicaState start = ReplicaState.of(driver);
        Broadcast<ReplicaState> state = sc.broadcast(start);
        try {
            TrainRound train = plan.withState(state);
            JavaRDD<RoundSum> perPartition = blocks.mapPartitions((Iterator<PartitionRows> rows) -> {
                RoundSum sum = new RoundSum();
                while (rows.hasNext()) {
                    sum = train.call(sum, rows.next());
                }
                return List.of(sum).iterator();
            });
            RoundSum sum = OrderedSum.of(perPartition);
            if (sum.partitionCount() != partitions) {
                throw new IllegalStateException("an averaging round counted " + sum.partitionCount() + " of "
                        + partitions + " partitions");
            }
            if (sum.rows() > 0) {
                driver.setWeights(sum.averageWeights());
                driver.setOptimizerSlots(sum.averageSlots());
                driver.setIterations(start.iterations() + sum.maxSteps());
                driver.setDropoutStream(start.dropoutSeed(), start.iterations() + sum.maxSteps());
            }
            return sum;
        } finally {
            state.destroy();
        }
    }

    private static Map<String, Double> means(Map<String, Double> sums, long rows) {
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((k, v) -> out.put(k, rows == 0 ? Double.NaN : v / rows));
        return out;
    }

    private PartitionRows validationRows(FeatureColumn trainFeatures, String labelName, boolean sparse) {
        Dataset<?> data = estimator.validationData();
        if (data == null) {
            return null;
        }
        FeatureColumn features = FeatureColumn.of(data.schema(), estimator.getFeaturesCol(), trainFeatures.width());
        estimator.transformSchema(data.schema());
        return PartitionRows.read(data.toDF().toLocalIterator(), features, data.schema().fieldIndex(labelName),
                labelName, sparse);
    }
}
