package dev.kiln.core.exec;

import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.BlockedGemm;
import dev.kiln.core.kernel.PackedGemm;
import java.lang.foreign.MemorySegment;

/**
 * y = act(x·W + b) for the batch; the epilogue is fused into the GEMM.
 *
 * <p>Split across the pool by column panels of y, not by rows: each part packs only the panels of W
 * it multiplies, so no part waits for another's packing and W is packed once per step in all. A
 * narrow layer (one panel, such as a 10-class output) runs on the calling thread alone.
 *
 * <p>Large products ({@link #usesBlockedPath}: at least {@link #BLOCKED_MIN_ROWS} rows,
 * {@link #BLOCKED_MIN_INNER} inputs and a W too large for L2, and more than one thread or more than four
 * panels; such as 1024³) take the cache-blocked {@link BlockedGemm} path instead, in two
 * dispatches: the panels of W are packed, split across the pool, then the rows are split (in whole
 * tiles), each part packing only its own rows of x per k-block into its own scratch array. Both paths
 * give the same bits. The scratch arrays are made on the first blocked call (and again only if the pool
 * grows), so layers that never see a large batch never hold them.
 */
public final class DenseForwardStep implements Step, ParallelBody {
    private final MemorySegment x;
    private final MemorySegment w;
    private final MemorySegment bias;
    private final MemorySegment preActivation;
    private final MemorySegment y;
    private final int k;
    private final int n;
    private final Activation activation;
    private final KernelPool pool;
    private final float[] packedW;
    private final int panels;
    private int rows;
    /** Which half of a blocked call the pool is running; written by the caller before each dispatch. */
    private boolean blockedMultiply;
    private float[][] scratch = new float[0][];
    /** Bound once: a method reference made per call would allocate. */
    private final ParallelBody packing = this::pack;

    /** The blocked path pays from about this many rows (measured with GemmPathAB, see docs/kernels-performance.md). */
    static final int BLOCKED_MIN_ROWS = 256;
    /** ... and this many inputs: at 256 a whole packed panel sits in L2 and the panel path was as fast or faster. */
    static final int BLOCKED_MIN_INNER = 384;
    /**
     * On one thread, a product this narrow (panels ≤ 4, n ≤ 128 with AVX-512) re-reads A only a few times,
     * and the panel path measured as fast or slightly faster (0.92–1.0×); with two threads both streaming
     * all of A at once, the blocked path was 1.2–1.3× faster.
     */
    static final int BLOCKED_MIN_PANELS_ONE_THREAD = 5;
    /**
     * ... and a W of at least 1 MiB of floats, a core's L2: below that the panel path re-reads W from L2
     * cheaply, and a model's first predict then runs on the kernels its training already compiled. With
     * 784-128-10 the blocked path was 10-28 % faster once compiled, but only after 10-20 predicts of
     * 100-750 ms while the JIT compiled its second set of kernels (the first predict took 761 ms against
     * 99 ms on the panel path; medians of 5 alternating bench runs).
     */
    static final long BLOCKED_MIN_WEIGHTS = 1 << 18;

    /** {@code bias} and {@code preActivation} may be null; {@code x} is [rows×k], W [k×n], y [rows×n]. */
    public DenseForwardStep(MemorySegment x, MemorySegment w, MemorySegment bias, MemorySegment preActivation,
            MemorySegment y, int k, int n, Activation activation, KernelPool pool) {
        if (!activation.isElementwise()) {
            throw new IllegalArgumentException("activation " + activation
                    + " cannot be fused into a dense step; expected an elementwise one (all but SOFTMAX)");
        }
        this.x = x;
        this.w = w;
        this.bias = bias;
        this.preActivation = preActivation;
        this.y = y;
        this.k = k;
        this.n = n;
        this.activation = activation;
        this.pool = pool;
        this.packedW = new float[PackedGemm.packedFloats(k, n)];
        this.panels = PackedGemm.panels(n);
    }

    @Override
    public void run(int rows) {
        this.rows = rows;
        if (usesBlockedPath(rows, k, n, pool.threads())) {
            runBlocked(rows);
            return;
        }
        blockedMultiply = false;
        pool.run(this, Parallelism.partsFor((long) rows * k * n, panels, pool));
    }

    /** Whether a call with these sizes on a pool of {@code threads} takes the cache-blocked path. */
    static boolean usesBlockedPath(int rows, int k, int n, int threads) {
        return rows >= BLOCKED_MIN_ROWS && k >= BLOCKED_MIN_INNER && (long) k * n >= BLOCKED_MIN_WEIGHTS
                && (threads > 1 || PackedGemm.panels(n) >= BLOCKED_MIN_PANELS_ONE_THREAD);
    }

    private void runBlocked(int rows) {
        int tiles = (rows + BlockedGemm.MR - 1) / BlockedGemm.MR;
        int parts = Parallelism.partsFor((long) rows * k * n, tiles, pool);
        scratch = PartScratch.arrays(scratch, parts, BlockedGemm.scratchFloats());
        pool.run(packing, Parallelism.partsFor((long) k * n, panels, pool));
        blockedMultiply = true;
        pool.run(this, parts);
    }

    /** The first half of a blocked call: every panel of W packed, split across the pool. */
    private void pack(int part, int parts) {
        int to = ParallelBody.start(panels, part + 1, parts);
        for (int p = ParallelBody.start(panels, part, parts); p < to; p++) {
            PackedGemm.packRows(w, k, n, p, packedW);
        }
    }

    @Override
    public void run(int part, int parts) {
        if (blockedMultiply) {
            int from = ParallelBody.alignedStart(rows, part, parts, BlockedGemm.MR);
            int to = ParallelBody.alignedStart(rows, part + 1, parts, BlockedGemm.MR);
            BlockedGemm.multiply(x, k, 1, from, to, k, n, packedW, bias, preActivation, y, activation, scratch[part]);
            return;
        }
        int to = ParallelBody.start(panels, part + 1, parts);
        for (int p = ParallelBody.start(panels, part, parts); p < to; p++) {
            PackedGemm.packRows(w, k, n, p, packedW);
            PackedGemm.multiply(x, k, 1, rows, k, n, packedW, p, bias, preActivation, y, activation);
        }
    }
}
