package dev.kiln;

import dev.kiln.callbacks.FitParams;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The epoch loop of {@link Model#fit}, in Keras' order: train begin; then per epoch: epoch begin, per
 * batch (batch begin, gather the rows, one training step, batch end, stop if asked), validation,
 * epoch end (the user's callbacks, the History, the progress line), stop if asked; then train end.
 *
 * <p>Epoch k's shuffling is a function of the model's shuffle seed and k alone, so a run resumed at
 * {@code initialEpoch(k)} from the state after epoch k − 1 repeats the uninterrupted run.
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

    /** {@code weights} and {@code valWeights}, a weight per row, are null when unweighted. */
    History run(Inputs x, Targets y, float[] weights, Inputs valX, Targets valY, float[] valWeights) {
        History history = new History();
        int n = x.count();
        int batch = Math.min(settings.batchSize(), n);
        int steps = (n + batch - 1) / batch;
        ScheduleCheck rates = schedule == null ? null : new ScheduleCheck(schedule, graph.iterations(), steps,
                settings.initialEpoch(), (long) Math.max(0, settings.epochs() - settings.initialEpoch()) * steps,
                ScheduleCheck.LOOKAHEAD);
        graph.ensureCapacity(batch);
        List<MetricReduction> reductions = model.reductions(graph.outputWidth());
        CallbackList callbacks = new CallbackList(settings.callbacks(), history, model,
                new FitParams(settings.epochs(), steps, settings.verbose(), settings.initialEpoch()));
        int[] order = new int[n];
        model.clearStopTraining();
        callbacks.onTrainBegin(NO_LOGS);
        Map<String, Double> logs = NO_LOGS;
        for (int epoch = settings.initialEpoch(); epoch < settings.epochs(); epoch++) {
            if (rates != null) {
                rates.beforeEpoch(epoch, graph.iterations());
            }
            callbacks.onEpochBegin(epoch, NO_LOGS);
            long start = System.nanoTime();
            fillOrder(order, model.seed(), epoch, settings.shuffle());
            BatchTotals totals = new BatchTotals(model.metrics(), reductions);
            BatchLogs batchLogs = new BatchLogs(totals);
            for (int step = 0, from = 0; from < n && !model.isStopTrainingRequested(); step++, from += batch) {
                callbacks.onBatchBegin(step, NO_LOGS);
                int count = Math.min(batch, n - from);
                x.load(graph, order, from, count);
                y.load(graph, order, from, count);
                if (weights != null) {
                    graph.loadSampleWeights(weights, order, from, count);
                }
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
            history.epochTrained((System.nanoTime() - start) / 1e9);
            logs = totals.means("");
            if (valX != null) {
                logs.putAll(model.evaluateChecked(valX, valY, valWeights, "val_"));
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
