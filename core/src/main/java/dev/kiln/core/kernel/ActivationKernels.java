package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Activation functions and their derivatives over float32 buffers, elementwise or (softmax) row-wise.
 * Elementwise kernels take an element range [from, to); softmax takes a row range. Each output element
 * depends only on its own inputs, so any split of the range gives bit-identical results.
 */
public final class ActivationKernels {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final float SQRT_HALF = (float) Math.sqrt(0.5);
    private static final float INV_SQRT_TWO_PI = (float) (1.0 / Math.sqrt(2.0 * Math.PI));
    private static final float LEAKY_SLOPE = (float) Activation.LEAKY_SLOPE;
    
    private ActivationKernels() {
    }

    /** f(z) lane by lane for an elementwise activation; the form the GEMM epilogue fuses. */
    public static FloatVector apply(Activation a, FloatVector z) {
        return switch (a) {
            case LINEAR -> z;
            case RELU -> z.max(0f);
            case SIGMOID -> VectorMath.sigmoid(z);
            case TANH -> VectorMath.tanh(z);
            // max(z, 0.2z) picks z above zero and 0.2z below because the slope is below 1.
            case LEAKY_RELU -> z.max(z.mul(LEAKY_SLOPE));
            case ELU -> elu(z);
            case GELU -> z.mul(normalCdf(z));
            case SILU -> z.mul(VectorMath.sigmoid(z));
            case SOFTMAX -> throw notElementwise(a);
        };
    }

    /*
     * Why the elementwise kernels are laid out as they are (measured with -XX:+LogCompilation, JDK 25):
     * C2 stops inlining ordinary methods once a compilation has created NodeCountInliningCutoff (18000)
     * nodes while parsing; only the Vector API's own @ForceInline methods are still inlined (later).
     * One VectorMath.exp alone parses to about 17000 nodes. A Kiln helper that takes or returns a
     * FloatVector and is reached after that point stays a real call, and every vector crossing it is
     * boxed on the heap, in every call, forever (and the kernel runs ~10x slower). Which compilation
     * crossed the line depended on the profile and on which method C2 happened to compile first, so
     * allocation tests failed at random. The rules that follow from it:
     *  - the dispatchers below and every loop method take no vectors, so when C2 declines to inline one
     *    (too many nodes, already compiled, too deep) the cost is a plain call, never boxing;
     *  - a loop that calls a helper with an exponential masks its last, partial vector inside the loop
     *    rather than in a tail after it, so no compilation holds two copies of that math (the second
     *    copy's helpers were the ones refused) and the tail is compiled with the loop, not left to C1
     *    when it runs less often (a tail method of its own stayed in C1 code, boxing, in one run of 8);
     *  - GELU's slope, which needs two exponentials, is written without helper calls at all, in one loop
     *    masked on its last vector (so one copy).
     */

    /** y[e] = f(z[e]) for elements [from, to); y may alias z. Softmax is rejected: it is row-wise. */
    public static void forward(Activation a, MemorySegment z, MemorySegment y, long from, long to) {
        switch (a) {
            case LINEAR -> {
                if (z != y) {
                    MemorySegment.copy(z, from * Float.BYTES, y, from * Float.BYTES, (to - from) * Float.BYTES);
                }
            }
            case RELU -> reluForward(z, y, from, to);
            case LEAKY_RELU -> leakyReluForward(z, y, from, to);
            case GELU -> geluForward(z, y, from, to);
            case SIGMOID, TANH, ELU, SILU -> expForward(a, z, y, from, to);
            case SOFTMAX -> throw notElementwise(a);
        }
    }

    /**
     * dz[e] = dy[e]·f'(z[e], y[e]) for elements [from, to). z may be null unless
     * {@link Activation#derivativeNeedsInput()}; y may be null when it is (and both for LINEAR). dz may alias dy.
     */
    public static void backward(Activation a, MemorySegment z, MemorySegment y, MemorySegment dy, MemorySegment dz,
            long from, long to) {
        if (!a.isElementwise()) {
            throw notElementwise(a);
        }
        if (a == Activation.LINEAR) {
            // f' = 1; copy is overlap-safe, so dz aliasing dy is fine.
            MemorySegment.copy(dy, from * Float.BYTES, dz, from * Float.BYTES, (to - from) * Float.BYTES);
            return;
        }
        boolean fromInput = a.derivativeNeedsInput();
        if (fromInput ? z == null : y == null) {
            throw new IllegalArgumentException("activation " + a + " needs " + (fromInput ? "z" : "y")
                    + " for its derivative, but it was null");
        }
        MemorySegment source = fromInput ? z : y;
        switch (a) {
            case RELU, LEAKY_RELU -> rectifiedBackward(a == Activation.LEAKY_RELU, source, dy, dz, from, to);
            case GELU -> geluBackward(source, dy, dz, from, to);
            default -> expBackward(a, source, dy, dz, from, to);
        }
    }

    /** ReLU, max(z, 0): Vector API calls only, so nothing here can be left out of line. */
    private static void reluForward(MemorySegment z, MemorySegment y, long from, long to) {
        long e = from;
        for (; e + S.length() <= to; e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector.fromMemorySegment(S, z, o, ORDER).max(0f).intoMemorySegment(y, o, ORDER);
        }
        if (e < to) {
            VectorMask<Float> m = tailMask(e, to);
            long o = e * Float.BYTES;
            FloatVector.fromMemorySegment(S, z, o, ORDER, m).max(0f).intoMemorySegment(y, o, ORDER, m);
        }
    }

    /** Leaky ReLU: max(z, 0.2z) picks z above zero and 0.2z below because the slope is below 1. */
    private static void leakyReluForward(MemorySegment z, MemorySegment y, long from, long to) {
        long e = from;
        for (; e + S.length() <= to; e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(S, z, o, ORDER);
            v.max(v.mul(LEAKY_SLOPE)).intoMemorySegment(y, o, ORDER);
        }
        if (e < to) {
            VectorMask<Float> m = tailMask(e, to);
            long o = e * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(S, z, o, ORDER, m);
            v.max(v.mul(LEAKY_SLOPE)).intoMemorySegment(y, o, ORDER, m);
        }
    }

    /** dz = dy·(1 above zero, else 0 or the leaky slope), from z or y (same sign); Vector API calls only. */
    private static void rectifiedBackward(boolean leaky, MemorySegment source, MemorySegment dy, MemorySegment dz,
            long from, long to) {
        float slope = leaky ? LEAKY_SLOPE : 0f;
        long e = from;
        for (; e + S.length() <= to; e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector s = FloatVector.fromMemorySegment(S, source, o, ORDER);
            FloatVector g = FloatVector.fromMemorySegment(S, dy, o, ORDER);
            g.mul(FloatVector.broadcast(S, slope).blend(1f, s.compare(VectorOperators.GT, 0f))).intoMemorySegment(dz, o, ORDER);
        }
        if (e < to) {
            VectorMask<Float> m = tailMask(e, to);
            long o = e * Float.BYTES;
            FloatVector s = FloatVector.fromMemorySegment(S, source, o, ORDER, m);
            FloatVector g = FloatVector.fromMemorySegment(S, dy, o, ORDER, m);
            g.mul(FloatVector.broadcast(S, slope).blend(1f, s.compare(VectorOperators.GT, 0f))).intoMemorySegment(dz, o, ORDER, m);
        }
    }

    /** Sigmoid, tanh, ELU or SiLU over [from, to), the last partial vector masked: one exponential per vector. */
    private static void expForward(Activation a, MemorySegment z, MemorySegment y, long from, long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> m = tailMask(e, to);
            long o = e * Float.BYTES;
            apply(a, FloatVector.fromMemorySegment(S, z, o, ORDER, m)).intoMemorySegment(y, o, ORDER, m);
        }
    }

    private static void expBackward(Activation a, MemorySegment source, MemorySegment dy, MemorySegment dz, long from,
            long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> m = tailMask(e, to);
            long o = e * Float.BYTES;
            FloatVector s = FloatVector.fromMemorySegment(S, source, o, ORDER, m);
            FloatVector.fromMemorySegment(S, dy, o, ORDER, m).mul(slope(a, s)).intoMemorySegment(dz, o, ORDER, m);
        }
    }

    /** Row-wise softmax of z into y for rows [rowFrom, rowTo), shifted by the row max so exp cannot overflow; y may alias z. */
    public static void softmaxForward(MemorySegment z, MemorySegment y, int cols, int rowFrom, int rowTo) {
        if (cols < S.length()) {
            narrowSoftmaxForward(z, y, cols, rowFrom, rowTo);
            return;
        }
        int bound = S.loopBound(cols);
        VectorMask<Float> tail = S.indexInRange(bound, cols);
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols * Float.BYTES;
            FloatVector max = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < bound; j += S.length()) {
                max = max.max(FloatVector.fromMemorySegment(S, z, row + (long) j * Float.BYTES, ORDER));
            }
            long tailOffset = row + (long) bound * Float.BYTES;
            if (bound < cols) {
                max = max.lanewise(VectorOperators.MAX, FloatVector.fromMemorySegment(S, z, tailOffset, ORDER, tail), tail);
            }
            // max is exact in any order, so the unordered reduction is safe here (unlike a sum).
            float rowMax = max.reduceLanes(VectorOperators.MAX);

            FloatVector sum = FloatVector.zero(S);
            for (int j = 0; j < bound; j += S.length()) {
                long o = row + (long) j * Float.BYTES;
                FloatVector e = FloatVector.fromMemorySegment(S, z, o, ORDER).sub(rowMax);
                e = VectorMath.exp(e);
                e.intoMemorySegment(y, o, ORDER);
                sum = sum.add(e);
            }
            if (bound < cols) {
                FloatVector e = VectorMath.exp(FloatVector.fromMemorySegment(S, z, tailOffset, ORDER, tail).sub(rowMax));
                e.intoMemorySegment(y, tailOffset, ORDER, tail);
                sum = sum.add(e, tail);
            }
            float rowSum = VectorMath.sumLanes(sum);

            for (int j = 0; j < bound; j += S.length()) {
                long o = row + (long) j * Float.BYTES;
                FloatVector.fromMemorySegment(S, y, o, ORDER).div(rowSum).intoMemorySegment(y, o, ORDER);
            }
            if (bound < cols) {
                FloatVector.fromMemorySegment(S, y, tailOffset, ORDER, tail).div(rowSum)
                        .intoMemorySegment(y, tailOffset, ORDER, tail);
            }
        }
    }

    /**
     * Softmax of rows narrower than one vector (a 10-class output) in scalar double arithmetic. The
     * vector form would run only masked lanes, and since only {@code predict} reaches this kernel
     * (training fuses softmax into the loss) it is called too rarely for C2 to compile it soon: the
     * Vector API's interpreted fallback then cost about 8 ms per 1024 rows. Scalar code runs well from
     * the first call. Per row: the max, then exp(z − max) summed in order, then each divided by the sum.
     */
    private static void narrowSoftmaxForward(MemorySegment z, MemorySegment y, int cols, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, z.getAtIndex(JAVA_FLOAT, row + j));
            }
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                double e = Math.exp((double) z.getAtIndex(JAVA_FLOAT, row + j) - max);
                y.setAtIndex(JAVA_FLOAT, row + j, (float) e);
                sum += e;
            }
            for (int j = 0; j < cols; j++) {
                // Divides the float-rounded exponential: the same rounding whether y aliases z or not.
                y.setAtIndex(JAVA_FLOAT, row + j, (float) (y.getAtIndex(JAVA_FLOAT, row + j) / sum));
            }
        }
    }

    /** Softmax backward for rows [rowFrom, rowTo): dz_j = y_j·(dy_j − Σ_k dy_k·y_k); dz may alias dy. */
    public static void softmaxBackward(MemorySegment y, MemorySegment dy, MemorySegment dz, int cols, int rowFrom,
            int rowTo) {
        int bound = S.loopBound(cols);
        VectorMask<Float> tail = S.indexInRange(bound, cols);
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols * Float.BYTES;
            long tailOffset = row + (long) bound * Float.BYTES;
            FloatVector dot = FloatVector.zero(S);
            for (int j = 0; j < bound; j += S.length()) {
                long o = row + (long) j * Float.BYTES;
                dot = FloatVector.fromMemorySegment(S, dy, o, ORDER)
                        .fma(FloatVector.fromMemorySegment(S, y, o, ORDER), dot);
            }
            if (bound < cols) {
                dot = FloatVector.fromMemorySegment(S, dy, tailOffset, ORDER, tail)
                        .fma(FloatVector.fromMemorySegment(S, y, tailOffset, ORDER, tail), dot);
            }
            float rowDot = VectorMath.sumLanes(dot);

            for (int j = 0; j < bound; j += S.length()) {
                long o = row + (long) j * Float.BYTES;
                FloatVector yv = FloatVector.fromMemorySegment(S, y, o, ORDER);
                yv.mul(FloatVector.fromMemorySegment(S, dy, o, ORDER).sub(rowDot)).intoMemorySegment(dz, o, ORDER);
            }
            if (bound < cols) {
                FloatVector yv = FloatVector.fromMemorySegment(S, y, tailOffset, ORDER, tail);
                yv.mul(FloatVector.fromMemorySegment(S, dy, tailOffset, ORDER, tail).sub(rowDot))
                        .intoMemorySegment(dz, tailOffset, ORDER, tail);
            }
        }
    }

    /** f' lane by lane from whichever of z or y the activation reads (see derivativeNeedsInput). */
    private static FloatVector slope(Activation a, FloatVector s) {
        return switch (a) {
            case LINEAR -> FloatVector.broadcast(S, 1f);
            case RELU -> FloatVector.zero(S).blend(FloatVector.broadcast(S, 1f), s.compare(VectorOperators.GT, 0f));
            case SIGMOID -> s.mul(FloatVector.broadcast(S, 1f).sub(s));
            case TANH -> s.neg().fma(s, FloatVector.broadcast(S, 1f));
            case LEAKY_RELU -> FloatVector.broadcast(S, LEAKY_SLOPE).blend(FloatVector.broadcast(S, 1f), s.compare(VectorOperators.GT, 0f));
            case ELU -> s.add(1f).blend(FloatVector.broadcast(S, 1f), s.compare(VectorOperators.GT, 0f));
            case GELU -> throw new IllegalStateException("GELU's slope is computed in geluBackward only");
            case SILU -> siluSlope(s);
            case SOFTMAX -> throw notElementwise(a);
        };
    }

    /** GELU over [from, to), the last partial vector masked. */
    private static void geluForward(MemorySegment z, MemorySegment y, long from, long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> m = tailMask(e, to);
            long o = e * Float.BYTES;
            FloatVector v = FloatVector.fromMemorySegment(S, z, o, ORDER, m);
            v.mul(normalCdf(v)).intoMemorySegment(y, o, ORDER, m);
        }
    }

    /**
     * GELU'(z) = Φ(z) + z·φ(z), φ the standard normal density, times dy, over [from, to) with the last partial
     * vector masked. It needs two exponentials, and after the first (~17000 parse nodes) C2 inlines no more
     * Kiln helpers, so the slope is written here without helper calls: VectorMath.exp for e^(−z²/2) and
     * VectorMath.erfcNonNegative for Φ, the same operations in the same order (keep them in step). One loop,
     * masked on its last vector, holds the only copy, so no compilation ever parses it twice.
     */
    private static void geluBackward(MemorySegment source, MemorySegment dy, MemorySegment dz, long from, long to) {
        for (long e = from; e < to; e += S.length()) {
            VectorMask<Float> m = tailMask(e, to);
            long o = e * Float.BYTES;
            FloatVector z = FloatVector.fromMemorySegment(S, source, o, ORDER, m);
            // φ(z)·√2π = e^(−z²/2), VectorMath.exp inlined.
            FloatVector x = z.mul(z).mul(-0.5f);
            FloatVector dClamped = x.max(-87.3f).min(88.7f);
            FloatVector dShifted = dClamped.fma(FloatVector.broadcast(S, 1.44269504f), FloatVector.broadcast(S, 12582912f));
            FloatVector dK = dShifted.sub(12582912f);
            FloatVector dR = dK.fma(FloatVector.broadcast(S, -0.693145752f), dClamped);
            dR = dK.fma(FloatVector.broadcast(S, -1.42860677e-6f), dR);
            FloatVector dP = dR.fma(FloatVector.broadcast(S, 1f / 720), FloatVector.broadcast(S, 1f / 120));
            dP = dP.fma(dR, FloatVector.broadcast(S, 1f / 24));
            dP = dP.fma(dR, FloatVector.broadcast(S, 1f / 6));
            dP = dP.fma(dR, FloatVector.broadcast(S, 0.5f));
            dP = dP.fma(dR, FloatVector.broadcast(S, 1f));
            dP = dP.fma(dR, FloatVector.broadcast(S, 1f));
            IntVector dK1 = dShifted.reinterpretAsInts().sub(0x4B400000);
            IntVector dHalf = dK1.lanewise(VectorOperators.ASHR, 1);
            FloatVector dScale1 = dHalf.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector dScale2 = dK1.sub(dHalf).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ex = dP.mul(dScale1).mul(dScale2);
            ex = ex.blend(0f, x.compare(VectorOperators.LT, -87.3f));
            ex = ex.blend(Float.POSITIVE_INFINITY, x.compare(VectorOperators.GT, 88.7f));
            ex = ex.blend(x, x.test(VectorOperators.IS_NAN));
            FloatVector density = ex.mul(INV_SQRT_TWO_PI);
            // Φ(z) = ½·erfc(|z|/√2) reflected, VectorMath.erfcNonNegative inlined.
            FloatVector a = z.abs().mul(SQRT_HALF);
            FloatVector t = FloatVector.broadcast(S, 1f).div(a.mul(0.5f).add(1f));
            FloatVector p = t.fma(VectorMath.C9, VectorMath.C8);
            p = p.fma(t, FloatVector.broadcast(S, VectorMath.C7));
            p = p.fma(t, FloatVector.broadcast(S, VectorMath.C6));
            p = p.fma(t, FloatVector.broadcast(S, VectorMath.C5));
            p = p.fma(t, FloatVector.broadcast(S, VectorMath.C4));
            p = p.fma(t, FloatVector.broadcast(S, VectorMath.C3));
            p = p.fma(t, FloatVector.broadcast(S, VectorMath.C2));
            p = p.fma(t, FloatVector.broadcast(S, VectorMath.C1));
            p = p.fma(t, FloatVector.broadcast(S, VectorMath.C0));
            FloatVector y = a.mul(a).neg().add(p);
            FloatVector eClamped = y.max(-87.3f).min(88.7f);
            FloatVector eShifted = eClamped.fma(FloatVector.broadcast(S, 1.44269504f), FloatVector.broadcast(S, 12582912f));
            FloatVector eK = eShifted.sub(12582912f);
            FloatVector eR = eK.fma(FloatVector.broadcast(S, -0.693145752f), eClamped);
            eR = eK.fma(FloatVector.broadcast(S, -1.42860677e-6f), eR);
            FloatVector eP = eR.fma(FloatVector.broadcast(S, 1f / 720), FloatVector.broadcast(S, 1f / 120));
            eP = eP.fma(eR, FloatVector.broadcast(S, 1f / 24));
            eP = eP.fma(eR, FloatVector.broadcast(S, 1f / 6));
            eP = eP.fma(eR, FloatVector.broadcast(S, 0.5f));
            eP = eP.fma(eR, FloatVector.broadcast(S, 1f));
            eP = eP.fma(eR, FloatVector.broadcast(S, 1f));
            IntVector eK1 = eShifted.reinterpretAsInts().sub(0x4B400000);
            IntVector eHalf = eK1.lanewise(VectorOperators.ASHR, 1);
            FloatVector eScale1 = eHalf.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector eScale2 = eK1.sub(eHalf).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
            FloatVector ey = eP.mul(eScale1).mul(eScale2);
            ey = ey.blend(0f, y.compare(VectorOperators.LT, -87.3f));
            ey = ey.blend(Float.POSITIVE_INFINITY, y.compare(VectorOperators.GT, 88.7f));
            ey = ey.blend(y, y.test(VectorOperators.IS_NAN));
            FloatVector halfErfc = t.mul(ey).mul(0.5f);
            FloatVector cdf = halfErfc.blend(FloatVector.broadcast(S, 1f).sub(halfErfc), z.compare(VectorOperators.GE, 0f));
            FloatVector.fromMemorySegment(S, dy, o, ORDER, m).mul(z.fma(density, cdf)).intoMemorySegment(dz, o, ORDER, m);
        }
    }

    private static FloatVector elu(FloatVector z) {
        // expm1 of min(z, 0) so the discarded positive lanes cannot overflow to infinity.
        FloatVector negativePart = VectorMath.expm1(z.min(0f));
        return negativePart.blend(z, z.compare(VectorOperators.GT, 0f));
    }

    /**
     * Φ(z) = ½·erfc(−z/√2). Taking erfc of |z|/√2 and reflecting (Φ = 1 − ½erfc for z ≥ 0) keeps
     * the tiny negative-side values relatively accurate instead of forming 1 + erf by cancellation.
     */
    private static FloatVector normalCdf(FloatVector z) {
        FloatVector halfErfc = VectorMath.erfcNonNegative(z.abs().mul(SQRT_HALF)).mul(0.5f);
        return halfErfc.blend(FloatVector.broadcast(S, 1f).sub(halfErfc), z.compare(VectorOperators.GE, 0f));
    }

    /** SiLU'(z) = σ(z)·(1 + z·(1 − σ(z))). */
    private static FloatVector siluSlope(FloatVector z) {
        FloatVector s = VectorMath.sigmoid(z);
        return s.mul(z.fma(FloatVector.broadcast(S, 1f).sub(s), FloatVector.broadcast(S, 1f)));
    }

    /** The lanes of the vector at element {@code from} that lie before {@code to}. */
    private static VectorMask<Float> tailMask(long from, long to) {
        return S.indexInRange(0, (int) Math.min(S.length(), to - from));
    }

    private static IllegalArgumentException notElementwise(Activation a) {
        return new IllegalArgumentException("activation " + a
                + " is row-wise, not elementwise; use softmaxForward/softmaxBackward (valid here: every activation but SOFTMAX)");
    }
}
