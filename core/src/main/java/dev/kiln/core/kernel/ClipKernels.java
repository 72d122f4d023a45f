package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.WidenedFloats.D;
import static dev.kiln.core.kernel.WidenedFloats.F;
import static dev.kiln.core.kernel.WidenedFloats.LANES;
import static dev.kiln.core.kernel.WidenedFloats.ORDER;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.F2D;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Gradient clipping over elements [from, to) of a gradient buffer: the sum of squares that a norm
 * is made of (accumulated in double, so a norm over a million elements loses nothing to float
 * rounding), a uniform rescale, and clipping each element into [−limit, limit].
 *
 * <pre>{@code
 * double norm = Math.sqrt(ClipKernels.sumOfSquares(g, 0, n));
 * if (norm > c) ClipKernels.scale(g, (float) (c / norm), 0, n);
 * }</pre>
 */
public final class ClipKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private ClipKernels() {
    }

    /** Σ g² over [from, to), in double. */
    public static double sumOfSquares(MemorySegment g, long from, long to) {
        DoubleVector acc = DoubleVector.zero(D);
        long e = from;
        for (; e <= to - LANES; e += LANES) {
            DoubleVector x = (DoubleVector) FloatVector.fromMemorySegment(F, g, e * Float.BYTES, ORDER)
                    .convertShape(F2D, D, 0);
            acc = x.fma(x, acc);
        }
        double sum = acc.reduceLanes(ADD);
        for (; e < to; e++) {
            double x = g.getAtIndex(JAVA_FLOAT, e);
            sum += x * x;
        }
        return sum;
    }

    /** g *= factor. */
    public static void scale(MemorySegment g, float factor, long from, long to) {
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector.fromMemorySegment(S, g, o, ORDER).mul(factor).intoMemorySegment(g, o, ORDER);
        }
        for (; e < to; e++) {
            g.setAtIndex(JAVA_FLOAT, e, g.getAtIndex(JAVA_FLOAT, e) * factor);
        }
    }

    /** g = min(max(g, −limit), limit); a NaN stays NaN, as in Keras' clip. */
    public static void clipValue(MemorySegment g, float limit, long from, long to) {
        float low = -limit;
        long e = from;
        for (; e <= to - S.length(); e += S.length()) {
            long o = e * Float.BYTES;
            FloatVector.fromMemorySegment(S, g, o, ORDER).max(low).min(limit).intoMemorySegment(g, o, ORDER);
        }
        for (; e < to; e++) {
            g.setAtIndex(JAVA_FLOAT, e, Math.min(Math.max(g.getAtIndex(JAVA_FLOAT, e), low), limit));
        }
    }
}
