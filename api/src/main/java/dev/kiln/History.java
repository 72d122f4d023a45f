package dev.kiln;

import dev.kiln.callbacks.Callback;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@link Model#fit} recorded: per epoch, the training loss and metrics and, with validation,
 * {@code val_loss} and {@code val_<metric>}.
 *
 * <pre>{@code
 * History h = model.fit(x, y, epochs(5), validationSplit(0.1));
 * List<Double> valLoss = h.history().get("val_loss");
 * }</pre>
 */
public final class History {
    /** Sorted by key, the order of Keras 3's {@code history.history}: accuracy, loss, val_accuracy, val_loss. */
    private final Map<String, List<Double>> values = new TreeMap<>();
    private final List<Integer> epochs = new ArrayList<>();
    private final List<Double> trainingSeconds = new ArrayList<>();
    private double epochSeconds;

    /** Only {@link Model#fit} makes one: a History is what training recorded, not something to fill in. */
    History() {
    }

    /** The training time of the epoch whose end the {@link #recorder()} sees next. */
    void epochTrained(double seconds) {
        epochSeconds = seconds;
    }

    /** The callback that records each epoch's logs, as they are after the user's callbacks ran. */
    Callback recorder() {
        return new Callback() {
            @Override
            public void onEpochEnd(int epoch, Map<String, Double> logs) {
                record(epoch, logs, epochSeconds);
            }
        };
    }

    void record(int epoch, Map<String, Double> logs, double seconds) {
        epochs.add(epoch);
        trainingSeconds.add(seconds);
        for (Map.Entry<String, Double> e : logs.entrySet()) {
            values.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
        }
    }

    /**
     * Metric name → one value per epoch, keys in Keras 3's order, which is sorted: {@code accuracy, loss,
     * val_accuracy, val_loss}.
     */
    public Map<String, List<Double>> history() {
        Map<String, List<Double>> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k, Collections.unmodifiableList(new ArrayList<>(v))));
        return Collections.unmodifiableMap(copy);
    }

    /** The 0-based indices of the recorded epochs. */
    public List<Integer> epoch() {
        return List.copyOf(epochs);
    }

    /**
     * Wall-clock seconds each epoch spent in its training steps (shuffle, batch gathering, forward,
     * backward, update), without validation. Not a Keras key, so not in {@link #history()}.
     */
    public List<Double> trainingSeconds() {
        return List.copyOf(trainingSeconds);
    }

    /** The last recorded value of {@code key}, or NaN when there is none. */
    public double last(String key) {
        List<Double> v = values.get(key);
        return v == null || v.isEmpty() ? Double.NaN : v.get(v.size() - 1);
    }

    /**
     * Draws the history: one panel per metric (loss, accuracy, ...), each with the training and,
     * when there was validation, the validation curve against the epoch (counted from 1). A PNG, or an
     * SVG when the name ends in {@code .svg}; written atomically.
     *
     * <pre>{@code
     * History h = model.fit(x, y, epochs(10), validationSplit(0.1));
     * h.plot(Path.of("history.png"));
     * }</pre>
     *
     * @throws IllegalStateException        when nothing was recorded
     * @throws java.io.UncheckedIOException when the file cannot be written, with the IOException as its cause
     */
    public void plot(Path path) {
        UncheckedFiles.run(() -> HistoryPlot.write(this, path));
    }

    /** {@link #plot(Path)} with the path as a string: {@code h.plot("history.png")}. */
    public void plot(String path) {
        plot(SavedModels.path(path, "plot"));
    }

    @Override
    public String toString() {
        return "History" + values;
    }
}
