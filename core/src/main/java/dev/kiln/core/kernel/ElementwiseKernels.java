package dev.kiln.core.kernel;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * Elementwise sums and products of equally shaped buffers over the float range [from, to): what merge
 * ops compute, and the summing of gradients where one node's output feeds several others.
 */
public final class ElementwiseKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private ElementwiseKernels() {
    }

    /** out = a + b; out may alias a or b. */
    public static void add(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to) {
        long i = from;
        for (; i + S.length() <= to; i += S.length()) {
            long o = i * Float.BYTES;
            FloatVector.fromMemorySegment(S, a, o, ORDER).add(FloatVector.fromMemorySegment(S, b, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        if (i < to) {
            addTail(a, b, out, i, to);
        }
    }

    private static void addTail(MemorySegment a, MemorySegment b, MemorySegment out, long i, long to) {
        VectorMask<Float> m = S.indexInRange(0, (int) (to - i));
        long o = i * Float.BYTES;
        FloatVector.fromMemorySegment(S, a, o, ORDER, m).add(FloatVector.fromMemorySegment(S, b, o, ORDER, m))
                .intoMemorySegment(out, o, ORDER, m);
    }

    /** out = a · b; out may alias a or b. */
    public static void multiply(MemorySegment a, MemorySegment b, MemorySegment out, long from, long to) {
        long i = from;
        for (; i + S.length() <= to; i += S.length()) {
            long o = i * Float.BYTES;
            FloatVector.fromMemorySegment(S, a, o, ORDER).mul(FloatVector.fromMemorySegment(S, b, o, ORDER))
                    .intoMemorySegment(out, o, ORDER);
        }
        if (i < to) {
            multiplyTail(a, b, out, i, to);
        }
    }

    private static void multiplyTail(MemorySegment a, MemorySegment b, MemorySegment out, long i, long to) {
        VectorMask<Float> m = S.indexInRange(0, (int) (to - i));
        long o = i * Float.BYTES;
        FloatVector.fromMemorySegment(S, a, o, ORDER, m).mul(FloatVector.fromMemorySegment(S, b, o, ORDER, m))
                .intoMemorySegment(out, o, ORDER, m);
    }

    /** out = src. */
    public static void copy(MemorySegment src, MemorySegment out, long from, long to) {
        MemorySegment.copy(src, from * Float.BYTES, out, from * Float.BYTES, (to - from) * Float.BYTES);
    }
}
