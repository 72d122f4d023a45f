package dev.kiln.core.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** Adding a bias row to every row of a batch (the unfused form of the dense epilogue). */
public final class BiasKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private BiasKernels() {
    }

    /** y[i,:] = x[i,:] + bias for rows [rowFrom, rowTo); y may alias x. */
    public static void addBias(MemorySegment x, MemorySegment bias, MemorySegment y, int cols, int rowFrom, int rowTo) {
        for (int i = rowFrom; i < rowTo; i++) {
            long row = (long) i * cols * Float.BYTES;
            int j = 0;
            for (; j < S.loopBound(cols); j += S.length()) {
                long o = row + (long) j * Float.BYTES;
                FloatVector.fromMemorySegment(S, x, o, ORDER)
                        .add(FloatVector.fromMemorySegment(S, bias, (long) j * Float.BYTES, ORDER))
                        .intoMemorySegment(y, o, ORDER);
            }
            if (j < cols) {
                VectorMask<Float> m = S.indexInRange(j, cols);
                long o = row + (long) j * Float.BYTES;
                FloatVector.fromMemorySegment(S, x, o, ORDER, m)
                        .add(FloatVector.fromMemorySegment(S, bias, (long) j * Float.BYTES, ORDER, m))
                        .intoMemorySegment(y, o, ORDER, m);
            }
        }
    }
}
