package dev.kiln.core.kernel;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * The bias of a dense layer unfused: adding it to every row of a batch, and its gradient, the column
 * sums of the output gradient.
 */
public final class BiasKernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    /** Column vectors summed per pass over the rows, to keep several adds in flight. */
    private static final int COLUMN_VECTORS = 4;

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

    /** {@code db[j] = Σ_{i<m} dy[i,j]} for columns j in [colFrom, colTo), dy [m × n]; overwrites db there. */
    public static void columnSums(MemorySegment dy, MemorySegment db, int m, int n, int colFrom, int colTo) {
        if (m < 0 || n < 0) {
            throw new IllegalArgumentException("m and n must be ≥ 0, were " + m + " and " + n);
        }
        if (colFrom < 0 || colFrom > colTo) {
            throw new IllegalArgumentException("column range must satisfy 0 ≤ from ≤ to, was [" + colFrom + ", " + colTo + ")");
        }
        long rowBytes = (long) n * Float.BYTES;
        int j = colFrom;
        // Four independent column vectors per pass over the rows keep several adds in flight.
        for (; j + COLUMN_VECTORS * L <= colTo; j += COLUMN_VECTORS * L) {
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
            long o = (long) j * Float.BYTES;
            for (int i = 0; i < m; i++, o += rowBytes) {
                s0 = s0.add(FloatVector.fromMemorySegment(S, dy, o, ORDER));
                s1 = s1.add(FloatVector.fromMemorySegment(S, dy, o + (long) L * Float.BYTES, ORDER));
                s2 = s2.add(FloatVector.fromMemorySegment(S, dy, o + 2L * L * Float.BYTES, ORDER));
                s3 = s3.add(FloatVector.fromMemorySegment(S, dy, o + 3L * L * Float.BYTES, ORDER));
            }
            long out = (long) j * Float.BYTES;
            s0.intoMemorySegment(db, out, ORDER);
            s1.intoMemorySegment(db, out + (long) L * Float.BYTES, ORDER);
            s2.intoMemorySegment(db, out + 2L * L * Float.BYTES, ORDER);
            s3.intoMemorySegment(db, out + 3L * L * Float.BYTES, ORDER);
        }
        for (; j + L <= colTo; j += L) {
            FloatVector sum = FloatVector.zero(S);
            long o = (long) j * Float.BYTES;
            for (int i = 0; i < m; i++, o += rowBytes) {
                sum = sum.add(FloatVector.fromMemorySegment(S, dy, o, ORDER));
            }
            sum.intoMemorySegment(db, (long) j * Float.BYTES, ORDER);
        }
        // The last columns one by one: a masked load inside the row loop makes C2 box the sum. The
        // scalar sum adds the rows in the same order as a vector lane, so the bits do not depend on
        // which path a column takes.
        for (; j < colTo; j++) {
            float sum = 0f;
            long o = (long) j * Float.BYTES;
            for (int i = 0; i < m; i++, o += rowBytes) {
                sum += dy.get(JAVA_FLOAT, o);
            }
            db.set(JAVA_FLOAT, (long) j * Float.BYTES, sum);
        }
    }
}
