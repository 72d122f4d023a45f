package dev.kiln.bench;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.ParallelBody;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.BlockedGemm;
import dev.kiln.core.kernel.Conv2dKernels;
import dev.kiln.core.kernel.Conv2dShape;
import dev.kiln.core.kernel.Padding;
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
 * The three products of a convolution of Keras' simple MNIST convnet at batch 128: by default the second,
 * 3×3, 32 → 64 channels, valid padding, over images of 13×13×32 (11×11×64 out); {@code layer=conv1} the
 * first, 3×3 over 28×28×1 (26×26×32 out), whose patch of 9 values makes a thin product. Each is a GEMM of
 * 2·(128·11·11)·288·64 = 571 MFLOP: {@code forward} (y = relu(conv(x, W) + b), W packed in the call),
 * {@code inputGradient} (dX = col2im(dZ·Wᵀ), Wᵀ packed in the call) and {@code weightGradient} (dW = patchesᵀ·dZ
 * and db), each split across a {@link KernelPool} of {@code threads} by its own split unit: output pixels,
 * images, rows of dW.
 *
 * <p>How to read the output: the {@code gflops} counter's score <b>is GFLOP/s</b> (2·M·K·F per call, per
 * nanosecond); ignore the primary score. Compare it with PeakBench's {@code gflops} from the same run:
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "benchmarks/target/kiln-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main 'PeakBench|ConvBench' -f 1 -wi 3 -i 5
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBench {
    private static final int BATCH = 128;

    @Param({"1", "2"})
    int threads;

    /** conv2: the 3×3, 32 → 64 layer the targets name; conv1: the first, 3×3 over one channel (a patch of 9). */
    @Param({"conv2", "conv1"})
    String layer;

    private Conv2dShape shape;
    private int pixels;
    private long flopsPerCall;
    private KernelPool pool;
    private Arena arena;
    private MemorySegment x;
    private MemorySegment w;
    private MemorySegment b;
    private MemorySegment y;
    private MemorySegment dz;
    private MemorySegment dw;
    private MemorySegment db;
    private MemorySegment dx;
    private float[] packedW;
    private float[] packedWt;
    private float[][] scratch;
    private MemorySegment[] buffers;
    // Bound once: a lambda made per call would allocate.
    private final ParallelBody packWeights = this::packWeights;
    private final ParallelBody packTransposedWeights = this::packTransposedWeights;
    private final ParallelBody forward = this::forward;
    private final ParallelBody inputGradient = this::inputGradient;
    private final ParallelBody weightGradient = this::weightGradient;

    /** Floating-point operations done, reported per ns: the score of this counter is GFLOP/s. */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Flops {
        public long gflops;
    }

    @Setup(Level.Trial)
    public void setUp() {
        shape = layer.equals("conv1") ? Conv2dShape.of(28, 28, 1, 3, 3, 32, 1, 1, Padding.VALID)
                : Conv2dShape.of(13, 13, 32, 3, 3, 64, 1, 1, Padding.VALID);
        pixels = BATCH * shape.outPixels();
        flopsPerCall = 2L * pixels * shape.patch() * shape.filters();
        pool = new KernelPool(threads);
        arena = Arena.ofShared();
        long in = (long) BATCH * shape.inputFloats();
        long out = (long) BATCH * shape.outputFloats();
        x = random(in, 1);
        w = random((long) shape.patch() * shape.filters(), 2);
        b = random(shape.filters(), 3);
        y = random(out, 4);
        dz = random(out, 5);
        dw = random((long) shape.patch() * shape.filters(), 6);
        db = random(shape.filters(), 7);
        dx = random(in, 8);
        packedW = new float[Conv2dKernels.packedWeightFloats(shape)];
        packedWt = new float[Conv2dKernels.packedTransposedWeightFloats(shape)];
        scratch = new float[threads][Conv2dKernels.scratchFloats(shape)];
        buffers = new MemorySegment[threads];
        for (int t = 0; t < threads; t++) {
            buffers[t] = arena.allocate(Conv2dKernels.bufferFloats(shape) * Float.BYTES, 64);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
    }

    @Benchmark
    public MemorySegment forward(Flops flops) {
        pool.run(packWeights, Math.min(threads, Conv2dKernels.weightPanels(shape)));
        pool.run(forward, threads);
        flops.gflops += flopsPerCall;
        return y;
    }

    @Benchmark
    public MemorySegment inputGradient(Flops flops) {
        pool.run(packTransposedWeights, Math.min(threads, Conv2dKernels.transposedWeightPanels(shape)));
        pool.run(inputGradient, threads);
        flops.gflops += flopsPerCall;
        return dx;
    }

    @Benchmark
    public MemorySegment weightGradient(Flops flops) {
        pool.run(weightGradient, threads);
        flops.gflops += flopsPerCall;
        return dw;
    }

    private void packWeights(int part, int parts) {
        int panels = Conv2dKernels.weightPanels(shape);
        for (int p = ParallelBody.start(panels, part, parts); p < ParallelBody.start(panels, part + 1, parts); p++) {
            Conv2dKernels.packWeights(w, shape, p, packedW);
        }
    }

    private void packTransposedWeights(int part, int parts) {
        int panels = Conv2dKernels.transposedWeightPanels(shape);
        for (int p = ParallelBody.start(panels, part, parts); p < ParallelBody.start(panels, part + 1, parts); p++) {
            Conv2dKernels.packTransposedWeights(w, shape, p, packedWt);
        }
    }

    /** Output pixels, in whole tiles. */
    private void forward(int part, int parts) {
        int from = ParallelBody.alignedStart(pixels, part, parts, BlockedGemm.MR);
        int to = ParallelBody.alignedStart(pixels, part + 1, parts, BlockedGemm.MR);
        Conv2dKernels.forward(x, shape, from, to, packedW, b, null, y, Activation.RELU, scratch[part]);
    }

    /** Images. */
    private void inputGradient(int part, int parts) {
        Conv2dKernels.inputGradient(dz, shape, ParallelBody.start(BATCH, part, parts),
                ParallelBody.start(BATCH, part + 1, parts), packedWt, dx, scratch[part], buffers[part]);
    }

    /** Rows of dW in whole tiles; the first part also sums db. */
    private void weightGradient(int part, int parts) {
        int rows = shape.patch();
        int grain = Conv2dKernels.weightGradientGrain(shape);
        int from = ParallelBody.alignedStart(rows, part, parts, grain);
        int to = ParallelBody.alignedStart(rows, part + 1, parts, grain);
        Conv2dKernels.weightGradient(x, dz, shape, BATCH, from, to, dw, part == 0 ? db : null, scratch[part],
                buffers[part]);
    }

    private MemorySegment random(long floats, long seed) {
        MemorySegment s = arena.allocate(floats * Float.BYTES, 64);
        Random r = new Random(seed);
        for (long i = 0; i < floats; i++) {
            s.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
        }
        return s;
    }
}
