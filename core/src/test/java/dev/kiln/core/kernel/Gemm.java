package dev.kiln.core.kernel;

import static dev.kiln.core.kernel.VectorMath.S;

import static java.lang.foreign.ValueLayout.JAVA_FLOAT;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;

/**
 * A reference for the engine's products (PackedGemm, BlockedGemm), kept with the tests: the matrix
 * products of a dense layer computed row by row through strides, the forward X·W + b with a fused
 * activation and the backward dX = dY·Wᵀ and dW = Xᵀ·dY. Buffers are row-major float32; each method
 * computes a range of its output, with bit-identical results for any split.
 *
 * <pre>{@code
 * // y = relu(x·w + b) for all 128 rows of a 128×784 batch into a 784→128 layer
 * Gemm.matmulBiasActivation(x, w, b, null, y, 784, 128, Activation.RELU, 0, 128);
 * }</pre>
 */
public final class Gemm {
    private static final ByteOrder ORDER = ByteOrder.nativeOrder();
    private static final int L = S.length();
    private static final int COLUMN_VECTORS = 4;

    private Gemm() {
    }

    /**
     * For rows i in [rowFrom, rowTo): z[i,:] = x[i,:]·W + bias and y[i,:] = act(z[i,:]), with x [rows × k],
     * W [k × n], bias [n] or null, y [rows × n]. If preActivation is non-null z is stored there too.
     *
     * @throws IllegalArgumentException if act is not elementwise (softmax runs separately) or a size is negative
     */
    public static void matmulBiasActivation(MemorySegment x, MemorySegment w, MemorySegment bias,
            MemorySegment preActivation, MemorySegment y, int k, int n, Activation act, int rowFrom, int rowTo) {
        if (!act.isElementwise()) {
            throw new IllegalArgumentException("activation " + act
                    + " cannot be fused into the GEMM epilogue; expected an elementwise one (all but SOFTMAX)");
        }
        checkSizes(k, n);
        checkRange("row", rowFrom, rowTo);
        StridedProduct.compute(x, k, 1, w, k, n, bias, preActivation, y, act, rowFrom, rowTo);
    }

    /**
     * dx[i,p] = Σ_j dy[i,j]·W[p,j] (dx = dy·Wᵀ) for rows i in [rowFrom, rowTo), with dy [rows × n],
     * wTransposed = Wᵀ [n × k] (see {@link #transpose}) and dx [rows × k]. Overwrites those rows of dx.
     *
     * <p>Why from Wᵀ rather than W: read in place, each dx element is a dot product whose lanes must
     * be summed across the vector, and that horizontal sum rounds differently in the interpreter and
     * in C2-compiled code, so results changed with JIT timing. From Wᵀ it is the same fma-chain
     * product as the forward pass, exact to the bit whichever code path or thread computes it.
     */
    public static void matmulTransposeB(MemorySegment dy, MemorySegment wTransposed, MemorySegment dx, int k, int n,
            int rowFrom, int rowTo) {
        checkSizes(k, n);
        checkRange("row", rowFrom, rowTo);
        StridedProduct.compute(dy, n, 1, wTransposed, n, k, null, null, dx, Activation.LINEAR, rowFrom, rowTo);
    }

    /** wT[j,p] = w[p,j] for rows p in [pFrom, pTo) of w [k × n]; wT is [n × k]. */
    public static void transpose(MemorySegment w, MemorySegment wT, int k, int n, int pFrom, int pTo) {
        checkSizes(k, n);
        checkRange("row", pFrom, pTo);
        // A plain copy: it moves k·n floats once per step, against the 2·rows·k·n flops of the product.
        long kBytes = (long) k * Float.BYTES;
        for (int p = pFrom; p < pTo; p++) {
            long src = (long) p * n * Float.BYTES;
            long dst = (long) p * Float.BYTES;
            for (int j = 0; j < n; j++, src += Float.BYTES, dst += kBytes) {
                wT.set(JAVA_FLOAT, dst, w.get(JAVA_FLOAT, src));
            }
        }
    }

    /**
     * dw[p,:] = Σ_{i<m} x[i,p]·dy[i,:] (dW = Xᵀ·dY) for p in [pFrom, pTo), with x [m × k], dy [m × n],
     * dw [k × n]. Overwrites those rows of dw.
     */
    public static void transposeAMatmul(MemorySegment x, MemorySegment dy, MemorySegment dw, int m, int k, int n,
            int pFrom, int pTo) {
        checkSizes(k, n);
        if (m < 0) {
            throw new IllegalArgumentException("m (rows) must be ≥ 0, was " + m);
        }
        checkRange("p", pFrom, pTo);
        // Row p of Xᵀ is column p of x: consecutive p are adjacent (stride 1), consecutive i are k apart.
        StridedProduct.compute(x, 1, k, dy, m, n, null, null, dw, Activation.LINEAR, pFrom, pTo);
    }

    private static void checkSizes(int k, int n) {
        if (k < 0 || n < 0) {
            throw new IllegalArgumentException("k and n must be ≥ 0, were " + k + " and " + n);
        }
    }

    private static void checkRange(String what, int from, int to) {
        if (from < 0 || from > to) {
            throw new IllegalArgumentException(what + " range must satisfy 0 ≤ from ≤ to, was [" + from + ", " + to + ")");
        }
    }
}
