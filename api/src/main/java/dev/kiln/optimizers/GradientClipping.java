package dev.kiln.optimizers;

import dev.kiln.core.runtime.GradientClip;

/**
 * An optimizer's gradient clipping, Keras' {@code clipnorm}, {@code clipvalue} and
 * {@code global_clipnorm}; 0 means off, and at most one of the three may be set (Keras 3's rule).
 *
 * <ul>
 *   <li>{@code clipnorm}: each weight's gradient is rescaled so its L2 norm is at most the value;</li>
 *   <li>{@code globalClipnorm}: all gradients are rescaled by one factor so that their joint L2 norm
 *       is at most the value;</li>
 *   <li>{@code clipvalue}: each gradient element is clipped into [−value, value].</li>
 * </ul>
 *
 * <pre>{@code
 * new Adam(1e-3).withGlobalClipnorm(1.0)
 * }</pre>
 */
public record GradientClipping(double clipnorm, double clipvalue, double globalClipnorm) {
    public static final GradientClipping NONE = new GradientClipping(0, 0, 0);

    public GradientClipping {
        check("clipnorm", clipnorm);
        check("clipvalue", clipvalue);
        check("global_clipnorm", globalClipnorm);
        int set = (clipnorm > 0 ? 1 : 0) + (clipvalue > 0 ? 1 : 0) + (globalClipnorm > 0 ? 1 : 0);
        if (set > 1) {
            throw new IllegalArgumentException("only one of clipnorm, clipvalue and global_clipnorm can be set, got clipnorm="
                    + clipnorm + ", clipvalue=" + clipvalue + ", global_clipnorm=" + globalClipnorm);
        }
    }

    public GradientClipping withClipnorm(double value) {
        return new GradientClipping(value, clipvalue, globalClipnorm);
    }

    public GradientClipping withClipvalue(double value) {
        return new GradientClipping(clipnorm, value, globalClipnorm);
    }

    public GradientClipping withGlobalClipnorm(double value) {
        return new GradientClipping(clipnorm, clipvalue, value);
    }

    /** The engine's form of this setting. */
    public GradientClip engineForm() {
        if (clipnorm > 0) {
            return new GradientClip(GradientClip.Mode.NORM, (float) clipnorm);
        }
        if (globalClipnorm > 0) {
            return new GradientClip(GradientClip.Mode.GLOBAL_NORM, (float) globalClipnorm);
        }
        if (clipvalue > 0) {
            return new GradientClip(GradientClip.Mode.VALUE, (float) clipvalue);
        }
        return GradientClip.NONE;
    }

    private static void check(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(what + " must be a finite number > 0 (or 0 for none), got " + value);
        }
    }
}
