package dev.kiln;

import java.util.Arrays;
import java.util.Map;

/**
 * The weight per training row a fit or evaluate call was given, as Keras' {@code sample_weight} or
 * derived from its {@code class_weight}: checked once, before any step, and gathered batch by batch
 * beside the targets. A null weights array everywhere means unweighted.
 */
final class SampleWeights {
    private SampleWeights() {
    }

    /**
     * Checks {@code weights} against {@code rows} rows and returns it unchanged: one weight per row,
     * each finite and at least 0.
     */
    static float[] check(float[] weights, int rows, String what) {
        if (weights.length != rows) {
            throw new IllegalArgumentException(what + " has " + weights.length + " weights but there are " + rows
                    + " rows: give one weight per row");
        }
        for (int i = 0; i < weights.length; i++) {
            if (!(weights[i] >= 0f) || weights[i] == Float.POSITIVE_INFINITY) {
                throw new IllegalArgumentException(what + "[" + i + "] is " + weights[i]
                        + ": sample weights must be finite and >= 0");
            }
        }
        return weights;
    }

    /**
     * Keras' class_weight as a weight per row: the weight of each row's class ({@link
     * Targets#weightedClassOf}), 1 for a class the map leaves out. Every class in the map must be one the
     * model can output: [0, outputs), or 0 and 1 for a single output.
     */
    static float[] ofClasses(Map<Integer, Double> classWeight, Targets y, int outputs) {
        int classes = Math.max(outputs, 2);
        for (Map.Entry<Integer, Double> e : classWeight.entrySet()) {
            if (e.getKey() >= classes) {
                throw new IllegalArgumentException("classWeight has class " + e.getKey()
                        + " but the model's classes are 0 to " + (classes - 1) + " (" + outputs + " output"
                        + (outputs == 1 ? ", read as classes 0 and 1)" : "s)"));
            }
        }
        float[] weights = new float[y.count()];
        for (int i = 0; i < weights.length; i++) {
            Double w = classWeight.get(y.weightedClassOf(i));
            weights[i] = w == null ? 1f : w.floatValue();
        }
        return weights;
    }

    /** Rows [from, to) of {@code weights}, or null when unweighted. */
    static float[] slice(float[] weights, int from, int to) {
        return weights == null ? null : Arrays.copyOfRange(weights, from, to);
    }
}
