package dev.kiln;

import dev.kiln.core.runtime.Parameter;

/**
 * setWeights refuses NaN and infinity, and a negative value where the maths needs one >= 0 (a moving
 * variance): one bad value would spread to every output at the next step.
 */
final class WeightChecks {
    private WeightChecks() {
    }

    /** Null when {@code w} may become weight {@code index}, else what is wrong with it. */
    static String problem(float[] w, int index, Parameter parameter) {
        int bad = parameter.firstInvalid(w);
        if (bad < 0) {
            return null;
        }
        return "weight " + index + " (" + parameter.name() + ") element " + bad + " is " + w[bad] + ": "
                + (parameter.nonNegative() && Float.isFinite(w[bad])
                        ? "this weight must be a finite number >= 0"
                        : "weights must be finite numbers");
    }
}
