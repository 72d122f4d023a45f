package dev.kiln.spark;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;

import dev.kiln.History;
import dev.kiln.Model;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;

/**
 * One averaging round on one partition, run by an executor: the partition's replica takes the broadcast
 * state, then {@code Model.fit} trains it on the steps of this round, that is steps
 * {@code [firstStep, firstStep + steps)} of the epoch on this partition's rows in the epoch's order (the
 * model's own {@code epochOrder}, as fit would shuffle them), and its weights and slots are added to the
 * round's sum. The result depends on nothing but the broadcast state, the rows and the round, so Spark may
 * run it again after a failure and get the same contribution.
 */
final class TrainRound implements Function2<RoundSum, PartitionRows, RoundSum> {
    private static final long serialVersionUID = 1L;

    private final String fitId;
    private final Broadcast<ModelBytes> model;
    private final Broadcast<ReplicaState> state;
    private final int round;
    private final int epoch;
    private final int firstStep;
    private final int steps;
    private final int batch;
    private final boolean shuffleRows;
    private final RoundHook hook;
    /** Each partition's rows when the fit began: a recomputed partition must hold as many. */
    private final int[] counts;

    TrainRound(String fitId, Broadcast<ModelBytes> model, Broadcast<ReplicaState> state, int round, int epoch,
            int firstStep, int steps, int batch, boolean shuffleRows, RoundHook hook, int[] counts) {
        this.fitId = fitId;
        this.model = model;
        this.state = state;
        this.round = round;
        this.epoch = epoch;
        this.firstStep = firstStep;
        this.steps = steps;
        this.batch = batch;
        this.shuffleRows = shuffleRows;
        this.hook = hook;
        this.counts = counts;
    }

    /** This round with the driver's broadcast state. */
    TrainRound withState(Broadcast<ReplicaState> start) {
        return new TrainRound(fitId, model, start, round, epoch, firstStep, steps, batch, shuffleRows, hook, counts);
    }

    @Override
    public RoundSum call(RoundSum sum, PartitionRows rows) {
        TaskContext task = TaskContext.get();
        int partition = task.partitionId();
        if (hook != null) {
            hook.beforeRound(round, partition, task.attemptNumber());
        }
        if (rows.count() != counts[partition]) {
            // Lost cached rows are recomputed from the DataFrame's lineage; different rows would train
            // something else than the round that failed.
            throw new IllegalStateException("partition " + partition + " holds " + rows.count() + " rows in round "
                    + round + " but held " + counts[partition] + " when the fit began: the training DataFrame must"
                    + " give the same rows each time Spark computes it (checkpoint it, or avoid random ordering)");
        }
        int from = Math.min(firstStep * batch, rows.count());
        int to = (int) Math.min((long) (firstStep + steps) * batch, rows.count());
        if (from == to) {
            return sum.idle(partition);
        }
        while (true) {
            Model replica = Replicas.get(fitId, partition, model.value());
            // One task at a time per replica: a speculative copy of this task must not interleave with it.
            synchronized (replica) {
                if (replica.isClosed()) {
                    continue; // another fit's start released it between get and here: build it again
                }
                state.value().applyTo(replica, partition);
                int[] order = shuffleRows ? replica.epochOrder(epoch, rows.count()) : null;
                int n = to - from;
                float[][] x = new float[n][];
                int[] classes = rows.classes == null ? null : new int[n];
                float[][] targets = rows.targets == null ? null : new float[n][];
                for (int i = 0; i < n; i++) {
                    int r = order == null ? from + i : order[from + i];
                    x[i] = rows.x[r];
                    if (classes != null) {
                        classes[i] = rows.classes[r];
                    } else {
                        targets[i] = rows.targets[r];
                    }
                }
                long before = replica.iterations();
                History h = classes != null
                        ? replica.fit(x, classes, epochs(1), batchSize(batch), shuffle(false), verbose(0))
                        : replica.fit(x, targets, epochs(1), batchSize(batch), shuffle(false), verbose(0));
                Map<String, Double> logs = new LinkedHashMap<>();
                h.history().forEach((k, v) -> logs.put(k, v.get(v.size() - 1)));
                int taken = (int) (replica.iterations() - before);
                List<float[]> w = replica.getWeights();
                List<float[]> s = replica.getOptimizerSlots();
                return sum.add(partition, w, s, n, taken, logs);
            }
        }
    }
}
