package dev.kiln.core.graph;

import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.util.ArrayList;
import java.util.List;

/** What {@link LayerNorm} and {@link BatchNorm} check and hold alike: epsilon, gamma and beta, widths. */
final class Normalization {
    private Normalization() {
    }

    static void checkEpsilon(float epsilon) {
        if (!(epsilon > 0f) || Float.isInfinite(epsilon)) {
            throw new IllegalArgumentException("epsilon must be a finite number > 0, got " + epsilon);
        }
    }

    /** gamma then beta, each when present (no scale or no center leaves it out); a list to add to. */
    static List<Parameter> affine(Parameter gamma, Parameter beta) {
        List<Parameter> ps = new ArrayList<>();
        if (gamma != null) {
            ps.add(gamma);
        }
        if (beta != null) {
            ps.add(beta);
        }
        return ps;
    }

    /**
     * Every per-feature parameter must be as long as the input's last axis (the features of a row, the
     * channels of an image); the output has the input's shape.
     */
    static Shape sameShape(String op, List<Parameter> parameters, Shape input) {
        for (Parameter p : parameters) {
            if (p.size() != input.last()) {
                throw new IllegalArgumentException(op + " parameter " + p + " does not match the last axis of"
                        + " examples of shape " + input);
            }
        }
        return input;
    }
}
