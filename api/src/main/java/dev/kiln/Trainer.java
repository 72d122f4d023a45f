package dev.kiln;

import dev.kiln.callbacks.FitParams;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * The epoch loop of {@link Model#fit}, in Keras' order: train begin; then per epoch: epoch begin, per
 * batch (batch begin, gather the rows, one training step, batch end, stop if asked), validation,
 * epoch end (the user's callbacks, the History, the progress line), stop if asked; then train end.
 *
 * <p>One loop for every kind of data: the batches come from {@link TrainingBatches}, arrays gathered in
 * the epoch's order or a {@link dev.kiln.data.Dataset}'s stream. With arrays, epoch k's shuffling is a
 * function of the model's shuffle seed and k alone, so a run resumed at {@code initialEpoch(k)} from the
 * state after epoch k − 1 repeats the uninterrupted run; a dataset's shuffle is likewise a function of its
 * seed and k.
 */
final class Trainer {
    private static final Map<String, Double> NO_LOGS = Map.of();

    private final Model model;
    private final CompiledGraph graph;
    private final FitSettings settings;
    private final LearningRateSchedule schedule;

    Trainer(Model model, CompiledGraph graph, FitSettings settings) {
        this.model = model;
        this.graph = graph;
        this.settings = settings;
        this.schedule = model.optimizer().schedule();
    }

    /**
     * Trains on {@code batches}, then after each epoch runs {@code validation} (null for none), whose
     * {@code val_} logs join the epoch's.
     */
    History run(TrainingBatches batches, Supplier<Map<String, Double>> validation) {
        History history = new History();
        int steps = batches.steps(); // 0: unknown until an epoch ends
        int limit = settings.stepsPerEpoch();
        ScheduleCheck rates = schedule == null ? null : new ScheduleCheck(schedule, graph.iterations(),
                steps > 0 ? steps : Integer.MAX_VALUE, settings.initialEpoch(),
                steps > 0 ? (long) Math.max(0, settings.epochs() - settings.initialEpoch()) * steps : Long.MAX_VALUE,
                ScheduleCheck.LOOKAHEAD);
        if (batches.largestBatch() > 0) {
            graph.ensureCapacity(batches.largestBatch());
        }
        CallbackList callbacks = new CallbackList(settings.callbacks(), history, model,
                new FitParams(settings.epochs(), steps, settings.verbose(), settings.initialEpoch()));
        model.clearStopTraining();
        callbacks.onTrainBegin(NO_LOGS);
        Map<String, Double> logs = NO_LOGS;
        for (int epoch = settings.initialEpoch(); epoch < settings.epochs(); epoch++) {
            if (rates != null && steps > 0) {
                rates.beforeEpoch(epoch, graph.iterations());
            }
            callbacks.onEpochBegin(epoch, NO_LOGS);
            long start = System.nanoTime();
            batches.startEpoch(epoch);
            BatchTotals totals = model.newTotals();
            BatchLogs batchLogs = new BatchLogs(totals);
            int step = 0;
            for (; (limit == 0 || step < limit) && !model.isStopTrainingRequested(); step++) {
                int count = batches.next();
                if (count == 0) {
                    break;
                }
                callbacks.onBatchBegin(step, NO_LOGS);
                batches.load(graph);
                if (schedule != null) {
                    graph.setLearningRate((float) schedule.at(graph.iterations()));
                }
                if (!NonFiniteLossGuard.trainStep(graph, count, epoch, settings.epochs(), step, steps,
                        settings.callbacks())) {
                    break;   // a TerminateOnNaN stopped training; the refused batch is in no mean
                }
                totals.add(graph, count);
                callbacks.onBatchEnd(step, batchLogs);
            }
            if (step == 0 && !model.isStopTrainingRequested()) {
                if (epoch == settings.initialEpoch()) {
                    throw new IllegalArgumentException("the training data yielded no batch: nothing was trained");
                }
                System.err.println("Kiln: the training data ran out before epoch " + (epoch + 1) + " of "
                        + settings.epochs() + "; training stopped. Make sure the dataset can give stepsPerEpoch × epochs"
                        + " batches (an Iterable or a longer generator).");
                break;
            }
            history.epochTrained((System.nanoTime() - start) / 1e9);
            logs = totals.means("");
            if (validation != null) {
                logs.putAll(validation.get());
            }
            callbacks.onEpochEnd(epoch, logs);
            if (model.isStopTrainingRequested()) {
                break;
            }
        }
        callbacks.onTrainEnd(logs);
        return history;
    }

    /** Rows in order, or in the shuffled order of epoch {@code epoch} of a model with {@code seed}. */
    static void fillOrder(int[] order, long seed, int epoch, boolean shuffle) {
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (shuffle) {
            shuffle(order, new Random(epochSeed(seed, epoch)));
        }
    }

    /** SplitMix64 of the seed and the epoch: neighbouring epochs get unrelated streams. */
    static long epochSeed(long seed, int epoch) {
        long z = seed + 0x9E3779B97F4A7C15L * (epoch + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Fisher–Yates over the whole permutation. */
    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
