package dev.kiln.callbacks;

import dev.kiln.Model;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lowers the learning rate when a monitored value has stopped improving, as Keras'
 * {@code ReduceLROnPlateau}, with its defaults: monitor {@code val_loss}, factor 0.1, patience 10,
 * mode auto (max when the name contains "acc", else min), minDelta 1e-4, cooldown 0, minLr 0.
 *
 * <p>After {@code patience} epochs without an improvement of more than {@code minDelta}, the rate
 * becomes {@code max(lr · factor, minLr)}; then {@code cooldown} epochs pass before waiting starts
 * again. Each epoch's logs get {@code learning_rate}, the rate that epoch trained with. The
 * optimizer must have a constant learning rate: with a {@code LearningRateSchedule}, training
 * fails at its start with {@link IllegalStateException}, since the schedule owns the rate.
 *
 * <pre>{@code
 * model.fit(x, y, epochs(50), validationSplit(0.1),
 *         callbacks(new ReduceLROnPlateau().factor(0.2).patience(5).minLr(1e-4)));
 * }</pre>
 */
public final class ReduceLROnPlateau implements Callback {
    private static final Logger LOG = LoggerFactory.getLogger(ReduceLROnPlateau.class);

    private String monitor = "val_loss";
    private double factor = 0.1;
    private int patience = 10;
    private int verbose;
    private String mode = "auto";
    private double minDelta = 1e-4;
    private int cooldown;
    private double minLr;

    private Model model;
    private boolean higherIsBetter;
    private double best;
    private int wait;
    private int cooldownCounter;

    public ReduceLROnPlateau() {
    }

    public ReduceLROnPlateau monitor(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("monitor must name a logs key such as val_loss, got " + key);
        }
        monitor = key;
        return this;
    }

    /** new_lr = lr · factor; must be below 1. */
    public ReduceLROnPlateau factor(double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException("ReduceLROnPlateau does not support a factor outside [0, 1), got " + value);
        }
        factor = value;
        return this;
    }

    public ReduceLROnPlateau patience(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + epochs);
        }
        patience = epochs;
        return this;
    }

    /** 1 prints a line at each reduction; 0 (the default) is silent. */
    public ReduceLROnPlateau verbose(int level) {
        verbose = level;
        return this;
    }

    /** {@code "auto"}, {@code "min"} or {@code "max"}. */
    public ReduceLROnPlateau mode(String mode) {
        this.mode = Monitor.checkedMode(mode);
        return this;
    }

    public ReduceLROnPlateau minDelta(double delta) {
        if (Double.isNaN(delta) || Double.isInfinite(delta)) {
            throw new IllegalArgumentException("minDelta must be a finite number, got " + delta);
        }
        minDelta = delta;
        return this;
    }

    public ReduceLROnPlateau cooldown(int epochs) {
        if (epochs < 0) {
            throw new IllegalArgumentException("cooldown must be >= 0, got " + epochs);
        }
        cooldown = epochs;
        return this;
    }

    /** The rate never goes below this. */
    public ReduceLROnPlateau minLr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("minLr must be a finite number >= 0, got " + lr);
        }
        minLr = lr;
        return this;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    @Override
    public void onTrainBegin(Map<String, Double> logs) {
        if (model.optimizer().schedule() != null) {
            throw new IllegalStateException("ReduceLROnPlateau cannot change the learning rate of an optimizer that"
                    + " follows a learning-rate schedule (" + model.optimizer().schedule() + "); use one or the other");
        }
        higherIsBetter = mode.equals("max") || (mode.equals("auto") && monitor.contains("acc"));
        best = higherIsBetter ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        wait = 0;
        cooldownCounter = 0;
    }

    @Override
    public void onEpochEnd(int epoch, Map<String, Double> logs) {
        double lr = model.learningRate();
        logs.put("learning_rate", lr);
        Double current = logs.get(monitor);
        if (current == null) {
            LOG.warn("Learning rate reduction is conditioned on metric '{}' which is not available. Available metrics are: {}",
                    monitor, logs.keySet());
            return;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            wait = 0;
        }
        if (higherIsBetter ? current > best + minDelta : current < best - minDelta) {
            best = current;
            wait = 0;
        } else if (cooldownCounter <= 0) {
            wait++;
            if (wait >= patience && lr > (float) minLr) {
                double reduced = Math.max(lr * factor, minLr);
                model.setLearningRate(reduced);
                LOG.debug("Epoch {}: ReduceLROnPlateau reducing learning rate to {}", epoch + 1, reduced);
                if (verbose > 0) {
                    System.out.println("Epoch " + (epoch + 1) + ": ReduceLROnPlateau reducing learning rate to " + reduced + ".");
                }
                cooldownCounter = cooldown;
                wait = 0;
            }
        }
    }
}
