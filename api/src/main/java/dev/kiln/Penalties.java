package dev.kiln;

import dev.kiln.core.runtime.WeightPenalty;
import dev.kiln.regularizers.Regularizer;

/** Lowers a Keras regularizer to the engine's weight penalty. */
final class Penalties {
    private Penalties() {
    }

    /** The penalty for {@code r}, or null for no regularizer (or one whose factors are all 0). */
    static WeightPenalty of(Regularizer r) {
        if (r == null || r.l1() == 0 && r.l2() == 0) {
            return null;
        }
        return new WeightPenalty((float) r.l1(), (float) r.l2());
    }
}
