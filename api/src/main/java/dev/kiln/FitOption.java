package dev.kiln;

import dev.kiln.core.memory.Tensor;

/**
 * The options of {@link Model#fit}, named as Keras' keyword arguments.
 *
 * <pre>{@code
 * import static dev.kiln.FitOption.*;
 * model.fit(x, y, epochs(5), batchSize(128), validationSplit(0.1), verbose(2));
 * }</pre>
 */
public sealed interface FitOption {
    record Epochs(int value) implements FitOption {
        public Epochs {
            if (value < 0) {
                throw new IllegalArgumentException("epochs must be >= 0, got " + value);
            }
        }
    }

    record BatchSize(int value) implements FitOption {
        public BatchSize {
            if (value <= 0) {
                throw new IllegalArgumentException("batchSize must be a positive number of rows, got " + value);
            }
        }
    }

    record Shuffle(boolean value) implements FitOption {
    }

    record ValidationSplit(double value) implements FitOption {
        public ValidationSplit {
            if (!(value >= 0 && value < 1)) {
                throw new IllegalArgumentException("validationSplit must be in [0, 1), got " + value);
            }
        }
    }

    record ValidationData(Object x, Object y) implements FitOption {
    }

    record Verbose(int value) implements FitOption {
        public Verbose {
            if (value < 0 || value > 2) {
                throw new IllegalArgumentException("verbose must be 0 (silent), 1 or 2, got " + value);
            }
        }
    }

    /** Passes over the training data (default 1). */
    static FitOption epochs(int n) {
        return new Epochs(n);
    }

    /** Rows per gradient step (default 32); the last batch of an epoch may be smaller. */
    static FitOption batchSize(int rows) {
        return new BatchSize(rows);
    }

    /** Reshuffle the training rows every epoch (default true). */
    static FitOption shuffle(boolean on) {
        return new Shuffle(on);
    }

    /** Hold out the last {@code fraction} of the rows, before shuffling, for validation. */
    static FitOption validationSplit(double fraction) {
        return new ValidationSplit(fraction);
    }

    static FitOption validationData(float[][] x, int[] y) {
        return new ValidationData(x, y);
    }

    static FitOption validationData(float[][] x, float[][] y) {
        return new ValidationData(x, y);
    }

    static FitOption validationData(Tensor x, int[] y) {
        return new ValidationData(x, y);
    }

    static FitOption validationData(Tensor x, Tensor y) {
        return new ValidationData(x, y);
    }

    static FitOption validationData(Tensor x, float[][] y) {
        return new ValidationData(x, y);
    }

    static FitOption validationData(float[][] x, Tensor y) {
        return new ValidationData(x, y);
    }

    /** 0 silent, 1 or 2 one line per epoch (the live progress bar arrives later). Default 1. */
    static FitOption verbose(int level) {
        return new Verbose(level);
    }
}
