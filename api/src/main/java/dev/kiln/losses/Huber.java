package dev.kiln.losses;

import dev.kiln.core.runtime.HuberLoss;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code Huber}: with e = prediction − target, ½e² where |e| ≤ δ and δ·|e| − ½δ² beyond (quadratic
 * near the target, linear far from it, so outliers weigh less than in mean squared error); the mean over
 * each row, averaged over the batch. δ ({@code delta}, Keras' default 1.0) must be positive. Also by
 * name: {@code "huber"}.
 *
 * <p>A δ other than 1 is saved as {@code delta} in the loss's Keras config, which Keras reads back. Keras
 * itself leaves {@code delta} out of the configs it writes, so a Huber object from a Keras-written file
 * reads as δ = 1, as it does in Keras.
 *
 * <pre>{@code
 * model.compile("adam", new Huber(0.5));
 * }</pre>
 */
public record Huber(double delta) implements Loss {
    public Huber {
        new HuberLoss((float) delta); // the engine's range check
    }

    public Huber() {
        this(1.0);
    }

    @Override
    public String name() {
        return "huber";
    }

    @Override
    public LossFunction function() {
        return new HuberLoss((float) delta);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("delta", delta);
    }

    /** Reads the loss back from its Keras config; without {@code delta}, Keras' default 1.0. */
    public static Huber fromConfig(ConfigReader config) throws ModelFormatException {
        return new Huber(config.has("delta") ? config.number("delta") : 1.0);
    }
}
