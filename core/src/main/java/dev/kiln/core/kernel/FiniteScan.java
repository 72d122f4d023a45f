package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Whether a float buffer holds only finite values: the guard that keeps a NaN or infinite gradient
 * out of the weights. {@code v − v} is 0 for every finite v and NaN for ±∞ and NaN, so summing it
 * needs no compare, no mask and no branch; two accumulators hide the add latency.
 *
 * <pre>{@code
 * boolean ok = FiniteScan.allFinite(gradient, 0, count);
 * }</pre>
 */
public final class FiniteScan {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();

    private FiniteScan() {
    }

    /** True when elements {@code [from, to)} of {@code x} are all finite (no NaN, no ±∞). */
    public static boolean allFinite(MemorySegment x, long from, long to) {
        return allFiniteScaled(x, from, to, 1f);
    }

    /**
     * True when {@code x·scale} is finite for every element of {@code [from, to)}. With a power of two
     * 2^k as the scale the products are exact until they overflow, so this says every |x| is below
     * 2^(128−k): a bound check at the cost of a finiteness check.
     */
    public static boolean allFiniteScaled(MemorySegment x, long from, long to, float scale) {
        int lanes = S.length();
        FloatVector a = FloatVector.zero(S);
        FloatVector b = FloatVector.zero(S);
        long e = from;
        for (; e <= to - 2L * lanes; e += 2L * lanes) {
            FloatVector u = FloatVector.fromMemorySegment(S, x, e * Float.BYTES, ORDER).mul(scale);
            FloatVector v = FloatVector.fromMemorySegment(S, x, (e + lanes) * Float.BYTES, ORDER).mul(scale);
            a = a.add(u.sub(u));
            b = b.add(v.sub(v));
        }
        float sum = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; e < to; e++) {
            float v = x.getAtIndex(JAVA_FLOAT, e) * scale;
            sum += v - v;
        }
        return sum == 0f;
    }

    /** True when every element of {@code x} is finite (no NaN, no ±∞): a user's input row, checked at full speed. */
    public static boolean allFinite(float[] x) {
        int lanes = S.length();
        FloatVector a = FloatVector.zero(S);
        FloatVector b = FloatVector.zero(S);
        int e = 0;
        for (; e <= x.length - 2 * lanes; e += 2 * lanes) {
            FloatVector u = FloatVector.fromArray(S, x, e);
            FloatVector v = FloatVector.fromArray(S, x, e + lanes);
            a = a.add(u.sub(u));
            b = b.add(v.sub(v));
        }
        float sum = a.add(b).reduceLanes(VectorOperators.ADD);
        for (; e < x.length; e++) {
            sum += x[e] - x[e];
        }
        return sum == 0f;
    }

    /** The index of the first NaN or infinite element of {@code [from, to)}, or −1 when there is none. */
    public static long firstNonFinite(MemorySegment x, long from, long to) {
        // Vector pass first: a clean buffer (the usual case) is confirmed at full speed.
        final long block = 1 << 16;
        for (long start = from; start < to; start += block) {
            long end = Math.min(to, start + block);
            if (!allFinite(x, start, end)) {
                for (long e = start; e < end; e++) {
                    if (!Float.isFinite(x.getAtIndex(JAVA_FLOAT, e))) {
                        return e;
                    }
                }
            }
        }
        return -1;
    }
}
