package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Inverted dropout: each element is kept with probability 1 − rate and scaled by 1/(1 − rate), so the
 * expected activation is unchanged and inference needs no rescaling.
 *
 * <p>The keep decision of element e is a hash of (seed, e): counter-based rather than a sequential
 * generator, so any split of the elements across threads draws the same mask, and no state is shared.
 */
public final class DropoutKernels {
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = IntVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final IntVector LANE_INDEX = IntVector.zero(IS).addIndex(1);

    private DropoutKernels() {
    }

    /** Writes mask[e] ∈ {0, 1/(1−rate)} and y[e] = x[e]·mask[e] for elements [from, to). */
    public static void forward(MemorySegment x, MemorySegment y, MemorySegment mask, float rate, int seed,
            long from, long to) {
        // Keep when the top 24 bits of the hash fall below (1 − rate)·2^24.
        int threshold = (int) Math.round((1.0 - rate) * (1 << 24));
        float scale = 1f / (1f - rate);
        FloatVector scaleV = FloatVector.broadcast(FS, scale);
        FloatVector zero = FloatVector.zero(FS);
        long e = from;
        for (; e + FS.length() <= to; e += FS.length()) {
            IntVector bits = hash(LANE_INDEX.add((int) e).add(seed * 0x9E3779B9));
            VectorMask<Integer> keep = bits.lanewise(VectorOperators.LSHR, 8).compare(VectorOperators.LT, threshold);
            FloatVector m = zero.blend(scaleV, keep.cast(FS));
            long o = e * Float.BYTES;
            m.intoMemorySegment(mask, o, ORDER);
            FloatVector.fromMemorySegment(FS, x, o, ORDER).mul(m).intoMemorySegment(y, o, ORDER);
        }
        for (; e < to; e++) {
            int bits = hash((int) e + seed * 0x9E3779B9);
            float m = (bits >>> 8) < threshold ? scale : 0f;
            long o = e * Float.BYTES;
            mask.set(JAVA_FLOAT, o, m);
            y.set(JAVA_FLOAT, o, x.get(JAVA_FLOAT, o) * m);
        }
    }

    /** dx[e] = dy[e]·mask[e] for elements [from, to); dx may alias dy. */
    public static void backward(MemorySegment dy, MemorySegment mask, MemorySegment dx, long from, long to) {
        long e = from;
        for (; e + FS.length() <= to; e += FS.length()) {
            long o = e * Float.BYTES;
            FloatVector.fromMemorySegment(FS, dy, o, ORDER)
                    .mul(FloatVector.fromMemorySegment(FS, mask, o, ORDER))
                    .intoMemorySegment(dx, o, ORDER);
        }
        for (; e < to; e++) {
            long o = e * Float.BYTES;
            dx.set(JAVA_FLOAT, o,
                    dy.get(JAVA_FLOAT, o)
                            * mask.get(JAVA_FLOAT, o));
        }
    }

    /** The scalar form of the mixing function, for the tail and for tests. */
    static int hash(int v) {
        v ^= v >>> 16;
        v *= 0x7feb352d;
        v ^= v >>> 15;
        v *= 0x846ca68b;
        v ^= v >>> 16;
        return v;
    }

    private static IntVector hash(IntVector v) {
        v = v.lanewise(VectorOperators.XOR, v.lanewise(VectorOperators.LSHR, 16));
        v = v.mul(0x7feb352d);
        v = v.lanewise(VectorOperators.XOR, v.lanewise(VectorOperators.LSHR, 15));
        v = v.mul(0x846ca68b);
        v = v.lanewise(VectorOperators.XOR, v.lanewise(VectorOperators.LSHR, 16));
        return v;
    }
}
