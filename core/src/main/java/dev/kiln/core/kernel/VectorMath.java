package dev.kiln.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Vector building blocks the kernels share: the lane sum, sigmoid and erfc. */
final class VectorMath {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    // No static final FloatVector constants on purpose: C2 (JDK 25) boxes a constant vector that feeds a
    // loop accumulator, allocating on every iteration; FloatVector.zero(S)/broadcast(S, c) inline cleanly.

    // Numerical Recipes' Chebyshev fit erfc(x) ≈ t·exp(−x² + P(t)), t = 1/(1 + x/2), with fractional
    // error below 1.2e-7 for every x ≥ 0: relative accuracy keeps GELU's far negative tail right.
    private static final float C0 = -1.26551223f;
    private static final float C1 = 1.00002368f;
    private static final float C2 = 0.37409196f;
    private static final float C3 = 0.09678418f;
    private static final float C4 = -0.18628806f;
    private static final float C5 = 0.27886807f;
    private static final float C6 = -1.13520398f;
    private static final float C7 = 1.48851587f;
    private static final float C8 = -0.82215223f;
    private static final float C9 = 0.17087277f;

    private VectorMath() {
    }

    /**
     * The sum of all lanes. Both the Java fallback of reduceLanes(ADD) and the x86 C2 intrinsic add the
     * lanes in order (lane 0 first); a butterfly with explicit shuffles would pin the order on every
     * platform but C2 does not intrinsify rearranges with non-constant shuffles and boxed every step.
     * The split-determinism tests guard this assumption.
     */
    static float sumLanes(FloatVector v) {
        return v.reduceLanes(VectorOperators.ADD);
    }

    /** σ(z) from e^(−|z|), which cannot overflow: 1/(1+e) for z ≥ 0, e/(1+e) below. */
    static FloatVector sigmoid(FloatVector z) {
        FloatVector e = z.abs().neg().lanewise(VectorOperators.EXP);
        FloatVector positive = FloatVector.broadcast(S, 1f).div(FloatVector.broadcast(S, 1f).add(e));
        VectorMask<Float> negative = z.compare(VectorOperators.LT, 0f);
        return positive.blend(e.mul(positive), negative);
    }

    /** erfc(x) for x ≥ 0 (relative error ~1.2e-7 plus float rounding); 0 once e^(−x²) underflows. */
    static FloatVector erfcNonNegative(FloatVector x) {
        FloatVector t = FloatVector.broadcast(S, 1f).div(x.mul(0.5f).add(1f));
        FloatVector p = t.fma(C9, C8);
        p = p.fma(t, FloatVector.broadcast(S, C7));
        p = p.fma(t, FloatVector.broadcast(S, C6));
        p = p.fma(t, FloatVector.broadcast(S, C5));
        p = p.fma(t, FloatVector.broadcast(S, C4));
        p = p.fma(t, FloatVector.broadcast(S, C3));
        p = p.fma(t, FloatVector.broadcast(S, C2));
        p = p.fma(t, FloatVector.broadcast(S, C1));
        p = p.fma(t, FloatVector.broadcast(S, C0));
        return t.mul(x.mul(x).neg().add(p).lanewise(VectorOperators.EXP));
    }
}
