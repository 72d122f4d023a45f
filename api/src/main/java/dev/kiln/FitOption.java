package dev.kiln;

import dev.kiln.callbacks.Callback;
import dev.kiln.core.memory.Tensor;
import dev.kiln.data.Dataset;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of {@link Model#fit}, named as Keras' keyword arguments.
 *
 * <pre>{@code
 * import static dev.kiln.FitOption.*;
 * model.fit(x, y, epochs(5), batchSize(128), validationSplit(0.1), verbose(2));
 * model.fit(x, y, epochs(50), validationSplit(0.1),
 *         callbacks(new EarlyStopping().patience(2).restoreBestWeights(true)));
 * model.fit(x, y, epochs(5), classWeight(Map.of(0, 1.0, 1, 10.0)));   // the rare class 1 counts 10 times
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

    /** Validation rows, targets and, when {@code sampleWeight} is non-null, a weight per validation row. */
    record ValidationData(Object x, Object y, float[] sampleWeight) implements FitOption {
        public ValidationData {
            sampleWeight = sampleWeight == null ? null : sampleWeight.clone();
        }

        public ValidationData(Object x, Object y) {
            this(x, y, null);
        }
    }

    record Verbose(int value) implements FitOption {
        public Verbose {
            if (value < 0 || value > 2) {
                throw new IllegalArgumentException("verbose must be 0 (silent), 1 or 2, got " + value);
            }
        }
    }

    record Callbacks(List<Callback> value) implements FitOption {
        public Callbacks {
            if (value == null || value.contains(null)) {
                throw new IllegalArgumentException("callbacks must not be null, got " + value);
            }
            value = List.copyOf(value);
        }
    }

    record StepsPerEpoch(int value) implements FitOption {
        public StepsPerEpoch {
            if (value <= 0) {
                throw new IllegalArgumentException("stepsPerEpoch must be a positive number of batches, got " + value);
            }
        }
    }

    /** A weight per training row, Keras' {@code sample_weight}. */
    record SampleWeight(float[] value) implements FitOption {
        public SampleWeight {
            if (value == null) {
                throw new IllegalArgumentException("sampleWeight must not be null");
            }
            value = SampleWeights.check(value.clone(), value.length, "sampleWeight");
        }
    }

    /** A weight per class index, Keras' {@code class_weight}. */
    record ClassWeight(Map<Integer, Double> value) implements FitOption {
        public ClassWeight {
            if (value == null) {
                throw new IllegalArgumentException("classWeight must not be null");
            }
            Map<Integer, Double> copy = new LinkedHashMap<>();
            for (Map.Entry<Integer, Double> e : value.entrySet()) {
                Integer c = e.getKey();
                Double w = e.getValue();
                if (c == null || c < 0) {
                    throw new IllegalArgumentException("classWeight has class " + c
                            + ": classes are indices from 0");
                }
                if (w == null || !Double.isFinite(w) || w < 0) {
                    throw new IllegalArgumentException("classWeight of class " + c + " is " + w
                            + ": weights must be finite and >= 0");
                }
                copy.put(c, w);
            }
            value = Map.copyOf(copy);
        }
    }

    record InitialEpoch(int value) implements FitOption {
        public InitialEpoch {
            if (value < 0) {
                throw new IllegalArgumentException("initialEpoch must be >= 0, got " + value);
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

    /** Validation data for a model with several inputs: one float[][] or Tensor per input, in order. */
    static FitOption validationData(List<?> x, int[] y) {
        return new ValidationData(x, y);
    }

    static FitOption validationData(List<?> x, float[][] y) {
        return new ValidationData(x, y);
    }

    /** Validation batches from a dataset, a full pass after every epoch (its batch size is its own). */
    static FitOption validationData(Dataset data) {
        if (data == null) {
            throw new IllegalArgumentException("validationData must not be null");
        }
        return new ValidationData(data, null);
    }

    static FitOption validationData(float[][] x, Tensor y) {
        return new ValidationData(x, y);
    }

    /**
     * Validation data with a weight per validation row, Keras' {@code validation_data=(x, y, w)}: the
     * validation loss is weighted as the training loss is by {@link #sampleWeight}.
     */
    static FitOption validationData(float[][] x, int[] y, float[] sampleWeight) {
        return new ValidationData(x, y, requireWeights(sampleWeight));
    }

    static FitOption validationData(float[][] x, float[][] y, float[] sampleWeight) {
        return new ValidationData(x, y, requireWeights(sampleWeight));
    }

    static FitOption validationData(Tensor x, int[] y, float[] sampleWeight) {
        return new ValidationData(x, y, requireWeights(sampleWeight));
    }

    static FitOption validationData(Tensor x, Tensor y, float[] sampleWeight) {
        return new ValidationData(x, y, requireWeights(sampleWeight));
    }

    static FitOption validationData(Tensor x, float[][] y, float[] sampleWeight) {
        return new ValidationData(x, y, requireWeights(sampleWeight));
    }

    static FitOption validationData(float[][] x, Tensor y, float[] sampleWeight) {
        return new ValidationData(x, y, requireWeights(sampleWeight));
    }

    /**
     * A weight per training row (Keras' {@code sample_weight}), finite and >= 0: each row's loss and
     * gradient are multiplied by its weight, and a batch's loss is the weighted sum divided by the
     * batch's row count (not by the sum of the weights), as in Keras. A row of weight 0 does not train the
     * model. With {@link #validationSplit} the weights of the held-out rows weight the validation loss.
     * Metrics stay unweighted, as Keras' {@code metrics} are. Not together with {@link #classWeight}.
     */
    static FitOption sampleWeight(float[] weights) {
        return new SampleWeight(weights);
    }

    /**
     * A weight per class (Keras' {@code class_weight}): each training row gets the weight of its class
     * (its label, the arg-max of a one-hot row, or a single target rounded), 1 for a class not in the map,
     * and is weighted as by {@link #sampleWeight}. Validation rows are not weighted, as in Keras. Not
     * together with {@link #sampleWeight}.
     *
     * <pre>{@code
     * model.fit(x, y, epochs(10), classWeight(Map.of(0, 1.0, 1, 5.0)));
     * }</pre>
     */
    static FitOption classWeight(Map<Integer, Double> weights) {
        return new ClassWeight(weights);
    }

    /**
     * 0 silent; 1 (the default) a live progress bar on a terminal and one line per epoch otherwise;
     * 2 one line per epoch. See {@link dev.kiln.callbacks.ProgbarLogger}.
     */
    static FitOption verbose(int level) {
        return new Verbose(level);
    }

    /**
     * Hooks called as training goes (Keras' {@code callbacks=[...]}), in the order given, before the
     * History and the progress output.
     */
    static FitOption callbacks(Callback... callbacks) {
        if (callbacks == null) {
            throw new IllegalArgumentException("callbacks must not be null");
        }
        return new Callbacks(Arrays.asList(callbacks));
    }

    /**
     * Batches per epoch when fitting a {@link Dataset} (Keras' {@code steps_per_epoch}): the epochs then
     * share one pass over the data, each taking the next {@code n} batches, so an endless generator trains
     * too; when the data runs out, training stops after the epoch it ran out in.
     */
    static FitOption stepsPerEpoch(int n) {
        return new StepsPerEpoch(n);
    }

    /**
     * The epoch to start at (default 0), for resuming a run: {@code fit} then runs epochs
     * {@code initialEpoch .. epochs − 1}, numbered as they were in the first run, with the same
     * shuffling they would have had.
     */
    static FitOption initialEpoch(int epoch) {
        return new InitialEpoch(epoch);
    }

    private static float[] requireWeights(float[] sampleWeight) {
        if (sampleWeight == null) {
            throw new IllegalArgumentException("validation sampleWeight must not be null");
        }
        return SampleWeights.check(sampleWeight, sampleWeight.length, "validation sampleWeight");
    }
}
