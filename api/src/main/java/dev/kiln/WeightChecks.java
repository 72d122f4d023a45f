package dev.kiln;

/** setWeights refuses NaN and infinity: one bad value would spread to every output at the next step. */
final class WeightChecks {
    private WeightChecks() {
    }

    static void requireFinite(float[] w, int index, String name) {
        for (int j = 0; j < w.length; j++) {
            if (!Float.isFinite(w[j])) {
                throw new IllegalArgumentException("weight " + index + " (" + name + ") element " + j + " is " + w[j]
                        + ": weights must be finite numbers");
            }
        }
    }
}
