package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.WidenedFloats.D;
import static dev.kiln.core.kernel.WidenedFloats.F;
import static dev.kiln.core.kernel.WidenedFloats.LANES;
import static dev.kiln.core.kernel.WidenedFloats.ORDER;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static jdk.incubator.vector.VectorOperators.F2D;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Weight penalties: P = l1·Σ|w| + l2·Σw², summed in double, and its gradient l1·sign(w) + 2·l2·w added
 * to a weight's gradient in the same pass.
 *
 * <pre>{@code
 * double p = PenaltyKernels.addGradient(kernel, kernelGrad, 0f, 0.01f, 0, kernelSize);
 * }</pre>
 */
public final class PenaltyKernels {
    private PenaltyKernels() {
    }

    /** The penalty of w[from, to). */
    public static double penalty(MemorySegment w, float l1, float l2, long from, long to) {
        DoubleVector acc = DoubleVector.zero(D);
        long e = from;
        for (; e <= to - LANES; e += LANES) {
            DoubleVector x = (DoubleVector) FloatVector.fromMemorySegment(F, w, e * Float.BYTES, ORDER).convertShape(F2D, D, 0);
            acc = acc.add(x.abs().mul(l1).add(x.mul(x).mul(l2)));
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; e < to; e++) {
            double x = w.getAtIndex(JAVA_FLOAT, e);
            sum += l1 * Math.abs(x) + l2 * x * x;
        }
        return sum;
    }

    /** Adds the penalty's gradient to g[from, to) and returns the penalty of w[from, to). */
    public static double addGradient(MemorySegment w, MemorySegment g, float l1, float l2, long from, long to) {
        DoubleVector acc = DoubleVector.zero(D);
        float twoL2 = 2 * l2;
        long e = from;
        for (; e <= to - LANES; e += LANES) {
            long o = e * Float.BYTES;
            FloatVector x = FloatVector.fromMemorySegment(F, w, o, ORDER);
            FloatVector grad = FloatVector.fromMemorySegment(F, g, o, ORDER);
            // sign(x)·l1 without a branch: l1 where x > 0, −l1 where x < 0, 0 at 0.
            FloatVector sign = FloatVector.zero(F).blend(l1, x.compare(VectorOperators.GT, 0f))
                    .blend(-l1, x.compare(VectorOperators.LT, 0f));
            grad.add(sign).add(x.mul(twoL2)).intoMemorySegment(g, o, ORDER);
            DoubleVector xd = (DoubleVector) x.convertShape(F2D, D, 0);
            acc = acc.add(xd.abs().mul(l1).add(xd.mul(xd).mul(l2)));
        }
        double sum = acc.reduceLanes(VectorOperators.ADD);
        for (; e < to; e++) {
            float x = w.getAtIndex(JAVA_FLOAT, e);
            float sign = x > 0 ? l1 : x < 0 ? -l1 : 0f;
            g.setAtIndex(JAVA_FLOAT, e, g.getAtIndex(JAVA_FLOAT, e) + sign + twoL2 * x);
            sum += l1 * Math.abs((double) x) + l2 * (double) x * x;
        }
        return sum;
    }
}
