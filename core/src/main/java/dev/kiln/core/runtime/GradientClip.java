package dev.kiln.core.runtime;

/**
 * How a compiled graph bounds its gradients before the optimizer update: not at all, each
 * parameter's gradient rescaled to an L2 norm of at most {@code threshold}, all gradients together
 * rescaled to a joint L2 norm of at most {@code threshold}, or every element clipped into
 * [−threshold, threshold].
 *
 * <pre>{@code
 * compiled.setGradientClip(new GradientClip(GradientClip.Mode.GLOBAL_NORM, 1f));
 * }</pre>
 */
public record GradientClip(Mode mode, float threshold) {
    public static final GradientClip NONE = new GradientClip(Mode.NONE, 0f);

    public enum Mode {
        NONE,
        /** Each parameter tensor on its own: g·c/max(‖g‖, c). */
        NORM,
        /** All parameter tensors as one vector: g·c/max(‖all g‖, c). */
        GLOBAL_NORM,
        /** Each element: min(max(g, −c), c). */
        VALUE
    }

    public GradientClip {
        if (mode == null) {
            throw new IllegalArgumentException("gradient clip mode is null");
        }
        if (mode != Mode.NONE && !(threshold > 0f && Float.isFinite(threshold))) {
            throw new IllegalArgumentException("gradient clip threshold must be a finite number > 0, got " + threshold);
        }
    }
}
