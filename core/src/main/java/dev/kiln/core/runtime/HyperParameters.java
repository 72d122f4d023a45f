package dev.kiln.core.runtime;

/** The range checks update rules share, each naming the hyper-parameter. */
final class HyperParameters {
    private HyperParameters() {
    }

    static void requireNonNegative(String what, float value) {
        if (!(value >= 0f) || Float.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + value);
        }
    }

    static void requireUnit(String what, float value) {
        if (!(value >= 0f && value < 1f)) {
            throw new IllegalArgumentException(what + " must be in [0, 1), got " + value);
        }
    }
}
