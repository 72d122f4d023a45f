package dev.kiln.core.kernel;

import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The species pair for kernels that read float32 buffers but compute in double: losses and error
 * sums, so that the batch sum, the logarithms near the clip bounds and the log-sum-exp of large
 * logits lose nothing to float rounding.
 *
 * <p>{@link #F} is half the width of {@link #D}, so one float load widens into exactly one double
 * vector ({@code convertShape(F2D, D, 0)}) and lane {@code k} of either is the same element. The loads
 * and stores are written out at each use rather than in helper methods: a helper that C2 declines to
 * inline makes every vector crossing it a heap object.
 */
final class WidenedFloats {
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    static final int LANES = D.length();
    static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private WidenedFloats() {
    }

    /**
     * The sum of the lanes of {@code v}, lane 0 first. reduceLanes(ADD) is not used for sums: C2 adds
     * the lanes as a tree and the interpreter in order, so a loss or a softmax denominator would change
     * its last bit once the JIT compiled the kernel, and a seeded run would depend on JIT timing.
     * Constant lane extracts compile to a short chain of adds and allocate nothing.
     */
    static double sumInLaneOrder(DoubleVector v) {
        double sum = 0;
        for (int i = 0; i < LANES; i++) {
            sum += v.lane(i);
        }
        return sum;
    }
}
