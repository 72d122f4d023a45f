package dev.kiln.bench;

import dev.kiln.core.exec.DenseBackwardStep;
import dev.kiln.core.exec.DenseForwardStep;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
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
 * The fused dense steps of a 784→128 ReLU layer with bias, as a training step runs them: forward
 * y = relu(x·W + b) (2·batch·784·128 FLOP) and backward dZ = dY ⊙ relu'(y), dW = xᵀ·dZ, db = Σ dZ,
 * dX = dZ·Wᵀ (4·batch·784·128 FLOP). GFLOP/s = FLOP / (µs/op · 1000).
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "benchmarks/target/kiln-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main DenseBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class DenseBench {
    private static final int IN = 784;
    private static final int OUT = 128;

    @Param({"32", "128"})
    int batch;

    @Param({"1", "2"})
    int threads;

    private KernelPool pool;
    private Arena arena;
    private DenseForwardStep forward;
    private DenseBackwardStep backward;
    private MemorySegment y;
    private MemorySegment dw;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new KernelPool(threads);
        arena = Arena.ofShared();
        MemorySegment x = random(batch * IN, 1, 1f);
        MemorySegment w = random(IN * OUT, 2, 0.05f);
        MemorySegment b = random(OUT, 3, 0.05f);
        y = random(batch * OUT, 4, 1f);
        MemorySegment dy = random(batch * OUT, 5, 1f);
        dw = random(IN * OUT, 6, 1f);
        MemorySegment db = random(OUT, 7, 1f);
        MemorySegment dx = random(batch * IN, 8, 1f);
        forward = new DenseForwardStep(x, w, b, null, y, IN, OUT, Activation.RELU, pool);
        forward.run(batch);
        backward = new DenseBackwardStep(x, w, null, y, dy, dw, db, dx, null, IN, OUT, Activation.RELU, pool);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public MemorySegment forward() {
        forward.run(batch);
        return y;
    }

    /** dy is overwritten with dZ = dY ⊙ relu'(y) on each call; relu' is 0 or 1, so values stay put. */
    @Benchmark
    public MemorySegment backward() {
        backward.run(batch);
        return dw;
    }

    private MemorySegment random(int floats, long seed, float scale) {
        MemorySegment s = arena.allocate((long) floats * Float.BYTES, 64);
        Random r = new Random(seed);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (r.nextFloat() - 0.5f) * scale);
        }
        return s;
    }
}
