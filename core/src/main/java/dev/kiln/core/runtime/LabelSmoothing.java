package dev.kiln.core.runtime;

/** The check the label-smoothed cross-entropies share. */
final class LabelSmoothing {
    private LabelSmoothing() {
    }

    /** Keras' label_smoothing is a fraction of the target moved towards the uniform distribution. */
    static void require(float labelSmoothing) {
        if (!(labelSmoothing >= 0f && labelSmoothing <= 1f)) {
            throw new IllegalArgumentException("label_smoothing must be in [0, 1], got " + labelSmoothing);
        }
    }
}
