package dev.kiln.core.runtime;

import dev.kiln.core.kernel.OptimizerKernels;

/**
 * What "tame" means, for proving an update finite without reading the state again. A writing pass of
 * {@link dev.kiln.core.kernel.OptimizerKernels} reports whether every weight and momentum it stored is
 * below {@link #VALUE} in magnitude and every sum of squares below {@link #SQUARES} (second moments are
 * never negative: written from sums of squares, or checked when restored); one pass over the gradients
 * says whether they are below {@link #GRADIENT}. From those bounds and its hyper-parameters each rule
 * bounds its next update ({@link UpdateRule.Bound#tameUpdateStaysFinite}); a bound within
 * {@link #FINITE_WITH_ROOM} is finite.
 */
public final class TameBounds {
    /** B: a tame weight or momentum is below 2^65 in magnitude. */
    public static final double VALUE = OptimizerKernels.TAME_VALUE;
    /** V: a tame second moment or accumulator is in [0, 2^121). */
    public static final double SQUARES = OptimizerKernels.TAME_SQUARES;
    /** G: a tame gradient is below 2^51 in magnitude: its square, 2^102, is far from overflowing. */
    public static final double GRADIENT = 0x1p51;
    /** Results bounded by 2^126 are finite with room for the rounding of the few operations that make them. */
    public static final double FINITE_WITH_ROOM = 0x1p126;

    private TameBounds() {
    }

    /** True when a quantity bounded by {@code bound} is finite. */
    public static boolean finite(double bound) {
        return bound <= FINITE_WITH_ROOM;
    }
}
