package dev.kiln.bench;

import dev.kiln.core.kernel.OptimizerKernels;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
 * One Adam update over {@code size} parameters (100k by default, about the 784-128-10 model's 101,770),
 * one thread: the fused pass reads w, g, m, v and writes w, m, v, so it is bound by memory bandwidth
 * (28 bytes per parameter; divide 2.8 MB by the µs/op for GB/s).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "benchmarks/target/kiln-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main OptimizerBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class OptimizerBench {
    @Param({"100000"})
    int size;

    private Arena arena;
    private MemorySegment w;
    private MemorySegment g;
    private MemorySegment m;
    private MemorySegment v;

    @Setup(Level.Trial)
    public void setUp() {
        arena = Arena.ofShared();
        w = arena.allocate((long) size * Float.BYTES, 64);
        g = arena.allocate((long) size * Float.BYTES, 64);
        m = arena.allocate((long) size * Float.BYTES, 64);
        v = arena.allocate((long) size * Float.BYTES, 64);
        Random r = new Random(0);
        for (long i = 0; i < size; i++) {
            w.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian() * 0.05f);
            g.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) r.nextGaussian() * 1e-3f);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        arena.close();
    }

    @Benchmark
    public MemorySegment adam() {
        OptimizerKernels.adam(w, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-7f, 0f, 0, size, true);
        return w;
    }

    /** The pass a training step makes before the update: the same arithmetic, nothing stored. */
    @Benchmark
    public boolean adamCheck() {
        return OptimizerKernels.adam(w, g, m, v, 1e-3f, 0.9f, 0.999f, 1e-7f, 0f, 0, size, false);
    }
}
