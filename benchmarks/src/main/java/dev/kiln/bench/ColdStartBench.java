package dev.kiln.bench;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the JIT costs a user: the first 50 training steps of a fresh 784-128-10 model (batch 128, Adam),
 * compile included, in a JVM that has run nothing else. Single-shot, one measurement per fork, so every
 * figure is a cold start; compare it with 50 × TrainStepBench's steady step (about 25 ms) for the tax.
 * {@code warmup} turns Kiln's background warm-up on or off; as in a real program it starts at the first
 * touch of Kiln, and the data is made after it, so it overlaps that much.
 *
 * <pre>
 * java --add-modules=jdk.incubator.vector -cp "benchmarks/target/kiln-benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *     org.openjdk.jmh.Main ColdStartBench
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 0)
@Measurement(iterations = 1)
@Fork(value = 8, jvmArgsPrepend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ColdStartBench {
    private static final int STEPS = 50;
    private static final int BATCH = 128;

    @Param({"true", "false"})
    String warmup;

    private float[][] x;
    private int[] y;

    @Setup(Level.Trial)
    public void setUp() {
        System.setProperty("kiln.warmup", warmup); // read when Kiln is first touched, just below
        Kiln.setSeed(1);
        Kiln.setThreads(2);
        Random random = new Random(2);
        x = new float[STEPS * BATCH][784];
        y = new int[x.length];
        for (int r = 0; r < x.length; r++) {
            for (int j = 0; j < 784; j++) {
                x[r][j] = random.nextFloat();
            }
            y[r] = random.nextInt(10);
        }
    }

    @Benchmark
    public double first50Steps() {
        try (Model model = Sequential.of(Input(784), Dense(128, "relu"), Dense(10, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy")) {
            return model.fit(x, y, epochs(1), batchSize(BATCH), shuffle(false), verbose(0)).last("loss");
        }
    }
}
