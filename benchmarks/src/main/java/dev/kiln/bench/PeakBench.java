package dev.kiln.bench;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.ParallelBody;
import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Vector API's FMA ceiling on this machine: twelve independent accumulators of the preferred
 * species, each updated by a fused multiply-add per iteration, so nothing but FMA throughput limits it.
 * The yardstick the GEMM figures are read against (GemmBench's {@code gflops} / PeakBench's {@code gflops}).
 *
 * <p>How to read the output: the {@code gflops} counter counts floating-point operations (an FMA of an
 * L-lane vector is 2·L of them), and JMH reports it per nanosecond, so its score <b>is GFLOP/s</b>.
 * The primary score (calls per ns) can be ignored. Run it in the same JMH invocation as GemmBench,
 * since the figures only mean something as a ratio on a shared machine:
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "benchmarks/target/kiln-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main 'PeakBench|GemmBench' -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class PeakBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** FMA iterations per thread and call: long enough (about 50 µs) that waking the pool is noise. */
    private static final int ITERATIONS = 1 << 16;
    private static final int ACCUMULATORS = 12;

    @Param({"1", "2"})
    int threads;

    private KernelPool pool;
    private final float[] sums = new float[64];
    private final ParallelBody body = (part, parts) -> sums[part * 16] = fmaLoop(ITERATIONS, 1.0000001f + part * 1e-9f);

    /** Floating-point operations done, reported per ns: the score of this counter is GFLOP/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public long gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        pool = new KernelPool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
    }

    @Benchmark
    public float peak(Flops flops) {
        pool.run(body, threads);
        flops.gflops += 2L * ACCUMULATORS * S.length() * ITERATIONS * threads;
        return sums[0] + sums[16];
    }

    /** Twelve independent FMA chains; the multiplier is a run-time value so C2 cannot fold the loop. */
    static float fmaLoop(int iterations, float multiplier) {
        FloatVector m = FloatVector.broadcast(S, multiplier);
        FloatVector add = FloatVector.broadcast(S, 1e-7f);
        FloatVector a0 = FloatVector.broadcast(S, 1f), a1 = FloatVector.broadcast(S, 2f), a2 = FloatVector.broadcast(S, 3f);
        FloatVector a3 = FloatVector.broadcast(S, 4f), a4 = FloatVector.broadcast(S, 5f), a5 = FloatVector.broadcast(S, 6f);
        FloatVector a6 = FloatVector.broadcast(S, 7f), a7 = FloatVector.broadcast(S, 8f), a8 = FloatVector.broadcast(S, 9f);
        FloatVector a9 = FloatVector.broadcast(S, 10f), a10 = FloatVector.broadcast(S, 11f), a11 = FloatVector.broadcast(S, 12f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, add);
            a1 = a1.fma(m, add);
            a2 = a2.fma(m, add);
            a3 = a3.fma(m, add);
            a4 = a4.fma(m, add);
            a5 = a5.fma(m, add);
            a6 = a6.fma(m, add);
            a7 = a7.fma(m, add);
            a8 = a8.fma(m, add);
            a9 = a9.fma(m, add);
            a10 = a10.fma(m, add);
            a11 = a11.fma(m, add);
        }
        FloatVector s = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11);
        return s.reduceLanes(VectorOperators.ADD);
    }
}
