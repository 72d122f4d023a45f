package dev.kiln;

import dev.kiln.callbacks.Callback;
import dev.kiln.callbacks.FitParams;
import java.util.List;
import java.util.Map;

/**
 * The callbacks, the {@link History} and the progress output of a training loop that runs outside
 * {@link Model#fit}, called in fit's order (the user's callbacks, then the History, then the progress
 * line) and with fit's hooks: Kiln's Spark module drives its averaging rounds with it, each round being
 * one "batch" of an epoch. The loop trains however it likes and keeps {@code model} holding the current
 * weights, so callbacks that read or save the model (EarlyStopping, ModelCheckpoint) see what fit would
 * show them.
 *
 * <pre>{@code
 * TrainingCallbacks run = TrainingCallbacks.start(model, new FitParams(epochs, rounds, 1, 0), callbacks);
 * for (int epoch = 0; epoch < epochs && !model.isStopTrainingRequested(); epoch++) {
 *     run.epochBegin(epoch);
 *     for (int round = 0; round < rounds; round++) { ...train...; run.batchEnd(round, runningMeans); }
 *     run.epochEnd(epoch, epochLogs, seconds);
 * }
 * History history = run.end(lastLogs);
 * }</pre>
 */
public final class TrainingCallbacks {
    private static final Map<String, Double> NO_LOGS = Map.of();

    private final History history = new History();
    private final CallbackList callbacks;

    private TrainingCallbacks(Model model, FitParams params, List<Callback> user) {
        callbacks = new CallbackList(user, history, model, params);
    }

    /**
     * Clears any earlier stop request on {@code model}, hands the callbacks the model and the run's shape,
     * and calls their {@code onTrainBegin}.
     */
    public static TrainingCallbacks start(Model model, FitParams params, List<Callback> callbacks) {
        if (model == null || params == null || callbacks == null
                || callbacks.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("TrainingCallbacks.start needs a model, params and a list of callbacks"
                    + " without nulls, got model " + model + ", params " + params + ", callbacks " + callbacks);
        }
        model.clearStopTraining();
        TrainingCallbacks run = new TrainingCallbacks(model, params, List.copyOf(callbacks));
        run.callbacks.onTrainBegin(NO_LOGS);
        return run;
    }

    public void epochBegin(int epoch) {
        callbacks.onEpochBegin(epoch, NO_LOGS);
    }

    public void batchBegin(int batch) {
        callbacks.onBatchBegin(batch, NO_LOGS);
    }

    /** {@code logs}: the running means of the epoch so far, as fit passes them. */
    public void batchEnd(int batch, Map<String, Double> logs) {
        callbacks.onBatchEnd(batch, logs);
    }

    /**
     * Ends epoch {@code epoch}: the callbacks see {@code logs} (a mutable copy, to which a callback may add
     * keys as in fit), and the History records them with {@code trainingSeconds}.
     */
    public void epochEnd(int epoch, Map<String, Double> logs, double trainingSeconds) {
        history.epochTrained(trainingSeconds);
        callbacks.onEpochEnd(epoch, new java.util.LinkedHashMap<>(logs));
    }

    /** Calls {@code onTrainEnd} and returns what the History recorded. */
    public History end(Map<String, Double> logs) {
        callbacks.onTrainEnd(logs);
        return history;
    }
}
