package dev.kiln.metrics;

import dev.kiln.core.runtime.ThresholdHistogram;
import dev.kiln.losses.Loss;

/**
 * The options Precision and Recall share, with Keras' meaning: a threshold (0.5 by default; with
 * top_k, every top-k output counts as positive), top_k and class_id.
 */
record ThresholdOptions(float threshold, int topK, int classId) {
    /** Keras' stand-in for −∞: the default threshold when only top_k decides. */
    static final float NEG_INF = -1e10f;

    static final ThresholdOptions DEFAULT = new ThresholdOptions(Float.NaN, 0, -1);

    ThresholdOptions {
        if (!Float.isNaN(threshold) && !(threshold >= 0f && threshold <= 1f)) {
            throw new IllegalArgumentException("threshold must be in [0, 1], got " + threshold);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be a positive number of outputs, got " + topK);
        }
        if (classId < -1) {
            throw new IllegalArgumentException("class_id must be a class index >= 0, got " + classId);
        }
    }

    float effectiveThreshold() {
        return !Float.isNaN(threshold) ? threshold : topK > 0 ? NEG_INF : 0.5f;
    }

    ThresholdHistogram reduction(String metric, int outputWidth, Loss loss) {
        if (classId >= outputWidth) {
            throw new IllegalArgumentException(metric + " class_id " + classId + " is not a class of a model with "
                    + outputWidth + " outputs");
        }
        if (topK > outputWidth) {
            throw new IllegalArgumentException(metric + " top_k " + topK + " is more than the model's " + outputWidth
                    + " outputs");
        }
        return new ThresholdHistogram(new float[] {effectiveThreshold()}, classId, topK, loss.sparseTargets());
    }
}
