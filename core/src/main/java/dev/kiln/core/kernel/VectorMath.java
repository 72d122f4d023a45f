package dev.kiln.core.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    static final float C0 = -1.26551223f;
    static final float C1 = 1.00002368f;
    static final float C2 = 0.37409196f;
    static final float C3 = 0.09678418f;
    static final float C4 = -0.18628806f;
    static final float C5 = 0.27886807f;
    static final float C6 = -1.13520398f;
    static final float C7 = 1.48851587f;
    static final float C8 = -0.82215223f;
    static final float C9 = 0.17087277f;

    private VectorMath() {
    }

    /**
     * The sum of all lanes, added in lane order (lane 0 first). Not reduceLanes(ADD): its Java fallback
     * adds in lane order but the x86 C2 intrinsic (JDK 25) adds as a tree, so a softmax gave different
     * last bits before and after the JIT compiled it (FloatSumOrderTest). Extracting constant lanes
     * compiles to a short chain of adds and allocates nothing.
     */
    static float sumLanes(FloatVector v) {
        float sum = 0f;
        for (int i = 0; i < S.length(); i++) {
            sum += v.lane(i);
        }
        return sum;
    }

    /**
     * e^x from IEEE adds, multiplies and fmas only, so it gives the same bits interpreted, C1- or
     * C2-compiled. VectorOperators.EXP does not: C2 calls Intel's vector math library and the
     * interpreter Math.exp, which disagree on about 1% of inputs in the last bit, and a training run
     * then depended on when the JIT got to each kernel.
     *
     * <p>x = k·ln2 + r with |r| ≤ ln2/2, e^r by its Taylor polynomial to r⁶ (relative error below
     * 2e-7), then scaled by 2^k built in the exponent bits. Below −87.3 it returns 0 (no subnormals),
     * above 88.7 infinity; NaN stays NaN.
     */
    static FloatVector exp(FloatVector x) {
        FloatVector clamped = x.max(-87.3f).min(88.7f);
        // Adding 1.5·2^23 rounds to the nearest integer in the float's low bits: k without a convert.
        FloatVector shifted = clamped.fma(FloatVector.broadcast(S, 1.44269504f), FloatVector.broadcast(S, 12582912f));
        FloatVector k = shifted.sub(12582912f);
        FloatVector r = k.fma(FloatVector.broadcast(S, -0.693145752f), clamped);
        r = k.fma(FloatVector.broadcast(S, -1.42860677e-6f), r);
        FloatVector p = r.fma(FloatVector.broadcast(S, 1f / 720), FloatVector.broadcast(S, 1f / 120));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 24));
        p = p.fma(r, FloatVector.broadcast(S, 1f / 6));
        p = p.fma(r, FloatVector.broadcast(S, 0.5f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        p = p.fma(r, FloatVector.broadcast(S, 1f));
        // 2^k as two halves, because k reaches 128 just below the overflow threshold and 2^128 is no float.
        IntVector k1 = shifted.reinterpretAsInts().sub(0x4B400000);
        IntVector half = k1.lanewise(VectorOperators.ASHR, 1);
        FloatVector scale1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector scale2 = k1.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector result = p.mul(scale1).mul(scale2);
        result = result.blend(0f, x.compare(VectorOperators.LT, -87.3f));
        result = result.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, 88.7f));
        return result.blend(x, x.test(VectorOperators.IS_NAN));
    }

    /** e^x − 1, by its series near 0 (where exp − 1 would cancel) and from {@link #exp} elsewhere. */
    static FloatVector expm1(FloatVector x) {
        FloatVector series = x.fma(FloatVector.broadcast(S, 1f / 24), FloatVector.broadcast(S, 1f / 6));
        series = series.fma(x, FloatVector.broadcast(S, 0.5f));
        series = series.fma(x, FloatVector.broadcast(S, 1f)).mul(x);
        FloatVector direct = exp(x).sub(1f);
        return direct.blend(series, x.abs().compare(VectorOperators.LT, 0.01f));
    }

    /** tanh(z) = 1 − 2/(e^(2z) + 1): saturates to ±1 without overflow trouble, same bits on every path. */
    static FloatVector tanh(FloatVector z) {
        FloatVector one = FloatVector.broadcast(S, 1f);
        return one.sub(FloatVector.broadcast(S, 2f).div(exp(z.add(z)).add(one)));
    }

    /** σ(z) from e^(−|z|), which cannot overflow: 1/(1+e) for z ≥ 0, e/(1+e) below. */
    static FloatVector sigmoid(FloatVector z) {
        FloatVector e = exp(z.abs().neg());
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
        return t.mul(exp(x.mul(x).neg().add(p)));
    }
}
