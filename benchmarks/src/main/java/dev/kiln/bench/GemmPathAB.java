package dev.kiln.bench;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.ParallelBody;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.BlockedGemm;
import dev.kiln.core.kernel.PackedGemm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

/**
 * A/B of the two forward GEMM paths in one process, alternating short slices, for choosing where
 * DenseForwardStep switches to the blocked path: on a noisy shared machine only ratios measured
 * side by side mean anything. Each variant dispatches exactly as DenseForwardStep does (panel path:
 * column panels split across the pool; blocked path: packing split by panels, then rows split in whole
 * tiles). Prints the median GFLOP/s of each and the blocked/panel ratio per shape.
 *
 * <pre>
 * flock /tmp/kiln-bench.lock java --add-modules=jdk.incubator.vector -cp "benchmarks/target/kiln-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     dev.kiln.bench.GemmPathAB 2 15 128x784x128 256x784x128 1024x784x128
 * </pre>
 * Arguments: threads, rounds, then shapes m×k×n.
 */
public final class GemmPathAB {
    private static final long SLICE_NANOS = 250_000_000L;

    private GemmPathAB() {
    }

    public static void main(String[] args) {
        int threads = Integer.parseInt(args[0]);
        int rounds = Integer.parseInt(args[1]);
        try (KernelPool pool = new KernelPool(threads); Arena arena = Arena.ofShared()) {
            for (int s = 2; s < args.length; s++) {
                String[] d = args[s].split("x");
                measure(args[s], Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]), rounds, pool,
                        arena);
            }
        }
    }

    private static void measure(String name, int m, int k, int n, int rounds, KernelPool pool, Arena arena) {
        MemorySegment x = random(arena, m * k, 1);
        MemorySegment w = random(arena, k * n, 2);
        MemorySegment y = arena.allocate((long) m * n * Float.BYTES, 64);
        float[] packed = new float[PackedGemm.packedFloats(k, n)];
        int panels = PackedGemm.panels(n);
        float[][] scratch = new float[pool.threads()][BlockedGemm.scratchFloats()];
        int threads = pool.threads();
        ParallelBody panelPath = (part, parts) -> {
            int to = ParallelBody.start(panels, part + 1, parts);
            for (int p = ParallelBody.start(panels, part, parts); p < to; p++) {
                PackedGemm.packRows(w, k, n, p, packed);
                PackedGemm.multiply(x, k, 1, m, k, n, packed, p, null, null, y, Activation.LINEAR);
            }
        };
        ParallelBody pack = (part, parts) -> {
            int to = ParallelBody.start(panels, part + 1, parts);
            for (int p = ParallelBody.start(panels, part, parts); p < to; p++) {
                PackedGemm.packRows(w, k, n, p, packed);
            }
        };
        ParallelBody blocked = (part, parts) -> BlockedGemm.multiply(x, k, 1,
                ParallelBody.alignedStart(m, part, parts, BlockedGemm.MR),
                ParallelBody.alignedStart(m, part + 1, parts, BlockedGemm.MR), k, n, packed, null, null, y,
                Activation.LINEAR, scratch[part]);
        Runnable a = () -> pool.run(panelPath, Math.min(threads, panels));
        Runnable b = () -> {
            pool.run(pack, Math.min(threads, panels));
            pool.run(blocked, threads);
        };
        double flops = 2.0 * m * k * n;
        double[] ga = new double[rounds];
        double[] gb = new double[rounds];
        for (int r = -3; r < rounds; r++) { // three warm-up rounds
            double fa = slice(a, flops);
            double fb = slice(b, flops);
            if (r >= 0) {
                ga[r] = fa;
                gb[r] = fb;
            }
        }
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            ratio[r] = gb[r] / ga[r];
        }
        System.out.printf("%-14s threads=%d panel %.1f GFLOP/s  blocked %.1f GFLOP/s  blocked/panel median %.2f (%d rounds)%n",
                name, threads, median(ga), median(gb), median(ratio), rounds);
    }

    private static double slice(Runnable r, double flops) {
        long start = System.nanoTime();
        long calls = 0;
        long now;
        do {
            r.run();
            calls++;
            now = System.nanoTime();
        } while (now - start < SLICE_NANOS);
        return calls * flops / (now - start);
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static MemorySegment random(Arena arena, int floats, long seed) {
        MemorySegment s = arena.allocate((long) floats * Float.BYTES, 64);
        Random r = new Random(seed);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
        }
        return s;
    }
}
