package dev.kiln.callbacks;

import dev.kiln.Model;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops training when a monitored value has stopped improving, as Keras' {@code EarlyStopping},
 * with its defaults: monitor {@code val_loss}, minDelta 0, patience 0, mode auto, no baseline,
 * restoreBestWeights false, startFromEpoch 0.
 *
 * <p>At each epoch end (from {@code startFromEpoch} on) the value counts as an improvement when it
 * beats the best so far by more than {@code minDelta}; after {@code patience} epochs without one,
 * training stops. With a baseline, the wait only restarts on a value that also beats the baseline.
 * With {@code restoreBestWeights}, the model ends training with the weights of its best epoch.
 * A missing monitored value is logged as a warning and the epoch is skipped.
 *
 * <pre>{@code
 * var stop = new EarlyStopping().monitor("val_loss").patience(2).restoreBestWeights(true);
 * model.fit(x, y, epochs(100), validationSplit(0.2), callbacks(stop));
 * System.out.println("stopped after epoch " + stop.stoppedEpoch() + ", best " + stop.bestEpoch());
 * }</pre>
 */
public final class EarlyStopping implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(EarlyStopping.class);

    private String monitor = "val_loss";
    private double minDelta;
    private int patience;
    private int verbose;
    private String mode = "auto";
    private double baseline = Double.NaN;
    private boolean restoreBestWeights;
    private int startFromEpoch;

    private Model model;
    private Boolean higherIsBetter;
    private int wait;
    private int stoppedEpoch;
    private int bestEpoch;
    private double best;
    private List<float[]> bestWeights;

    public EarlyStopping() {
    }

    /** The logs key to watch, e.g. {@code val_loss}, {@code accuracy}. */
    public EarlyStopping monitor(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("monitor must name a logs key such as val_loss, got " + key);
        }
        monitor = key;
        higherIsBetter = null;
        return this;
    }

    /** The smallest change that counts as an improvement (its absolute value is used). */
    public EarlyStopping minDelta(double delta) {
        if (Double.isNaN(delta) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("minDelta must be a finite number, got " + delta);
        }
        minDelta = Math.abs(delta);
        return this;
    }

    /** Epochs without improvement after which training stops. */
    public EarlyStopping patience(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + epochs);
        }
        patience = epochs;
        return this;
    }

    /** 1 prints a line when it stops and when it restores weights; 0 (the default) is silent. */
    public EarlyStopping verbose(int level) {
        verbose = level;
        return this;
    }

    /** {@code "auto"} (from the monitored name), {@code "min"} or {@code "max"}. */
    public EarlyStopping mode(String mode) {
        this.mode = Monitor.checkedMode(mode);
        higherIsBetter = null;
        return this;
    }

    /** A value the monitored quantity must beat for the wait to restart. */
    public EarlyStopping baseline(double value) {
        baseline = value;
        return this;
    }

    public EarlyStopping restoreBestWeights(boolean restore) {
        restoreBestWeights = restore;
        return this;
    }

    /** Epochs of warm-up during which nothing is monitored. */
    public EarlyStopping startFromEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("startFromEpoch must be >= 0, got " + epoch);
        }
        startFromEpoch = epoch;
        return this;
    }

    /** The epoch (0-based) at which training was stopped, or 0 when it was not. */
    public int stoppedEpoch() {
        return stoppedEpoch;
    }

    /** The epoch (0-based) with the best monitored value. */
    public int bestEpoch() {
        return bestEpoch;
    }

    /** The best monitored value seen (±infinity before any). */
    public double best() {
        return best;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        // Reusable across fits, as in Keras.
        wait = 0;
        stoppedEpoch = 0;
        bestEpoch = 0;
        bestWeights = null;
        higherIsBetter = Monitor.higherIsBetter(monitor, mode);
        best = higherIsBetter ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        Double current = logs.get(monitor);
        if (current == null) {
            LOG.warn("Early stopping conditioned on metric '{}' which is not available. Available metrics are: {}",
                    monitor, logs.keySet());
            return;
        }
        if (epoch < startFromEpoch) {
            return;
        }
        if (restoreBestWeights && bestWeights == null) {
            bestWeights = model.getWeights();
            bestEpoch = epoch;
        }
        wait++;
        if (isImprovement(current, best)) {
            best = current;
            bestEpoch = epoch;
            if (restoreBestWeights) {
                bestWeights = model.getWeights();
            }
            if (Double.isNaN(baseline) || isImprovement(current, baseline)) {
                wait = 0;
            }
            return;
        }
        if (wait >= patience && epoch > 0) {
            stoppedEpoch = epoch;
            model.stopTraining();
        }
    }

    @Override
    public void onTrainEnd(Map<String, Double> logs) {
        if (stoppedEpoch > 0) {
            LOG.debug("Epoch {}: early stopping", stoppedEpoch + 1);
            if (verbose > 0) {
                System.out.println("Epoch " + (stoppedEpoch + 1) + ": early stopping");
            }
        }
        if (restoreBestWeights && bestWeights != null) {
            LOG.debug("Restoring model weights from the end of the best epoch: {}", bestEpoch + 1);
            if (verbose > 0) {
                System.out.println("Restoring model weights from the end of the best epoch: " + (bestEpoch + 1) + ".");
            }
            model.setWeights(bestWeights);
        }
    }

    private boolean isImprovement(double value, double reference) {
        return higherIsBetter ? value - minDelta > reference : value + minDelta < reference;
    }
}
