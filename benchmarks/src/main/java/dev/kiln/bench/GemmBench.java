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
 * The GEMMs of training 784-128-10, and 1024³, split across a kernel pool of {@code threads}.
 *
 * <p>{@code shape} is m×k×n: C [m×n] = A [m×k] · B [k×n], 2·m·k·n floating-point operations.
 * "32x784x128" and "128x784x128" are the first layer's forward X·W at batch 32 and 128 (the real
 * {@link DenseForwardStep}, no bias, linear); "128x128x10" the output layer's; "dW784x128x128" is that
 * first layer's weight gradient dW = Xᵀ·dY at batch 128 (784×128 output, inner dimension the batch),
 * through the real {@link DenseBackwardStep} of a linear layer without bias or input gradient.
 * "1024x784x128" is predict's first layer (1024 rows a batch); it and 1024³ are large enough for the
 * forward step's cache-blocked path (on two threads; 1024³ on one too).
 *
 * <p>How to read the output: the {@code gflops} counter counts 2·m·k·n per call and JMH reports it per
 * nanosecond, so its score <b>is GFLOP/s</b> (the primary score, calls per ns, can be ignored). Compare it
 * with PeakBench's {@code gflops} from the same run:
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
public class GemmBench {
    @Param({"32x784x128", "128x784x128", "128x128x10", "dW784x128x128", "1024x1024x1024", "1024x784x128"})
    String shape;

    @Param({"1", "2"})
    int threads;

    private KernelPool pool;
    private Arena arena;
    private Runnable product;
    private long flopsPerCall;
    private MemorySegment c;

    /** Floating-point operations done, reported per ns: the score of this counter is GFLOP/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public long gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        pool = new KernelPool(threads);
        arena = Arena.ofShared();
        boolean weightGradient = shape.startsWith("dW");
        String[] dims = shape.replace("dW", "").split("x");
        int m = Integer.parseInt(dims[0]);
        int k = Integer.parseInt(dims[1]);
        int n = Integer.parseInt(dims[2]);
        flopsPerCall = 2L * m * k * n;
        c = random(m * n, 0);
        if (weightGradient) {
            // dW [m×n] = Xᵀ·dY with X [k×m] (k batch rows of m features) and dY [k×n].
            MemorySegment x = random(k * m, 1);
            MemorySegment dy = random(k * n, 2);
            // The real backward step of a linear layer without bias and input gradient: exactly dW = Xᵀ·dY.
            DenseBackwardStep step = new DenseBackwardStep(x, random(m * n, 3), null, null, dy, c, null, null, null,
                    m, n, Activation.LINEAR, pool);
            product = () -> step.run(k);
        } else {
            MemorySegment a = random(m * k, 1);
            MemorySegment b = random(k * n, 2);
            DenseForwardStep step = new DenseForwardStep(a, b, null, null, c, k, n, Activation.LINEAR, pool);
            product = () -> step.run(m);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public MemorySegment multiply(Flops flops) {
        product.run();
        flops.gflops += flopsPerCall;
        return c;
    }

    private MemorySegment random(int floats, long seed) {
        MemorySegment s = arena.allocate((long) floats * Float.BYTES, 64);
        Random r = new Random(seed);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
        }
        return s;
    }
}
