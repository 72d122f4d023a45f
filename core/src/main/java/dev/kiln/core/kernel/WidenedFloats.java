package dev.kiln.core.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Loads float32 lanes widened to double and stores double lanes narrowed back to float32.
 *
 * <p>Losses and error sums are computed in double so that the batch sum, the logarithms near the
 * clip bounds and the log-sum-exp of large logits lose nothing to float rounding. The float species
 * is half the width of the preferred double species, so one float load widens into exactly one
 * double vector and lane {@code k} of either is element {@code index + k}.
 */
final class WidenedFloats {
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> F =
            VectorSpecies.of(float.class, VectorShape.forBitSize(D.vectorBitSize() / 2));
    static final int LANES = D.length();
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private WidenedFloats() {
    }

    /** Elements [index, index + LANES) as doubles. */
    static DoubleVector load(MemorySegment seg, long index) {
        return (DoubleVector) FloatVector.fromMemorySegment(F, seg, index * Float.BYTES, ORDER)
                .convertShape(VectorOperators.F2D, D, 0);
    }

    /** The lanes of {@code m} from element {@code index} as doubles; the others are 0. */
    static DoubleVector load(MemorySegment seg, long index, VectorMask<Double> m) {
        return (DoubleVector) FloatVector.fromMemorySegment(F, seg, index * Float.BYTES, ORDER, m.cast(F))
                .convertShape(VectorOperators.F2D, D, 0);
    }

    /** Rounds to float and writes elements [index, index + LANES). */
    static void store(DoubleVector v, MemorySegment seg, long index) {
        ((FloatVector) v.convertShape(VectorOperators.D2F, F, 0))
                .intoMemorySegment(seg, index * Float.BYTES, ORDER);
    }

    /** Rounds to float and writes the lanes of {@code m} from element {@code index}. */
    static void store(DoubleVector v, MemorySegment seg, long index, VectorMask<Double> m) {
        ((FloatVector) v.convertShape(VectorOperators.D2F, F, 0))
                .intoMemorySegment(seg, index * Float.BYTES, ORDER, m.cast(F));
    }
}
