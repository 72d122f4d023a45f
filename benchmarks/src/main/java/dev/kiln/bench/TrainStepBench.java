package dev.kiln.bench;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.graph.Activate;
import dev.kiln.core.graph.BiasAdd;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.graph.Compiler;
import dev.kiln.core.graph.Graph;
import dev.kiln.core.graph.MatMul;
import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import java.util.List;
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
 * One full training step (forward, loss, backward, Adam update) of 784-128-10 on a loaded batch.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "benchmarks/target/kiln-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main TrainStepBench -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 8, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TrainStepBench {
    @Param({"32", "128"})
    int batch;

    @Param({"1", "2"})
    int threads;

    private KernelPool pool;
    private CompiledGraph graph;

    @Setup(Level.Trial)
    public void setUp() {
        pool = new KernelPool(threads);
        Graph g = new Graph(784);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", 784, 128)), g.input());
        n = g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 128)), n);
        n = g.add("dense/relu", new Activate(Activation.RELU), n);
        n = g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", 128, 10)), n);
        n = g.add("dense_1/bias_add", new BiasAdd(new Parameter("dense_1/bias", 10)), n);
        g.add("dense_1/softmax", new Activate(Activation.SOFTMAX), n);
        graph = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false),
                List.of(MetricReduction.ARGMAX_MATCHES_LABEL), new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f), pool);
        Random r = new Random(0);
        for (int p = 0; p < graph.parameters().size(); p++) {
            float[] v = new float[(int) graph.parameters().get(p).size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * 0.05);
            }
            graph.writeParameter(p, v);
        }
        graph.ensureCapacity(batch);
        float[][] x = new float[batch][784];
        int[] y = new int[batch];
        for (int i = 0; i < batch; i++) {
            for (int j = 0; j < 784; j++) {
                x[i][j] = r.nextFloat();
            }
            y[i] = r.nextInt(10);
        }
        graph.loadInputs(x, null, 0, batch);
        graph.loadLabels(y, null, 0, batch);
    }

    @Benchmark
    public double trainStep() {
        graph.trainStep(batch);
        return graph.lossSum();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        graph.close();
        pool.close();
    }
}
