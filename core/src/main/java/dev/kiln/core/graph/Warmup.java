package dev.kiln.core.graph;

import dev.kiln.core.exec.FiniteRows;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.AdamRule;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.SparseCategoricalCrossEntropyLoss;
import java.util.List;
import java.util.Random;

/**
 * Runs a small training program on a daemon thread the first time Kiln is touched, so that the JIT has
 * compiled the kernels (with profiles from real calls) before the user's own fit begins: the Vector
 * API's kernels run up to a hundred times slower until C2 has compiled them. It uses a graph, a pool
 * and random numbers of its own, so it changes no result of the user's; it stops as soon as the user's
 * first training or inference step starts (from then on those steps drive the JIT, and the warm-up
 * would only take their CPU), or after {@link #MAX_STEPS} steps. {@code -Dkiln.warmup=false} turns it off.
 */
public final class Warmup {
    static final int MAX_STEPS = 1500;
    private static volatile boolean started;
    /** Set by the first step of a graph that is not the warm-up's own. */
    static volatile boolean userStarted;

    private Warmup() {
    }

    /** Starts the warm-up once per JVM; later calls do nothing. */
    public static synchronized void startInBackground() {
        if (started || !Boolean.parseBoolean(System.getProperty("kiln.warmup", "true"))) {
            return;
        }
        started = true;
        Thread t = new Thread(Warmup::run, "kiln-warmup");
        t.setDaemon(true);
        t.setPriority(Thread.MIN_PRIORITY);
        t.start();
    }

    /** Called by every compiled graph's step: the user's work has begun. */
    static void userStep(CompiledGraph graph) {
        if (!userStarted && !graph.isWarmup()) {
            userStarted = true;
        }
    }

    /** The warm-up itself, on the calling thread; stops early once a user step has run. */
    static void run() {
        Graph g = new Graph(784);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", 784, 128)), g.input());
        n = g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", 128)), n);
        n = g.add("dense/relu", new Activate(Activation.RELU), n);
        n = g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", 128, 10)), n);
        n = g.add("dense_1/bias_add", new BiasAdd(new Parameter("dense_1/bias", 10)), n);
        g.add("dense_1/softmax", new Activate(Activation.SOFTMAX), n);
        try (KernelPool pool = new KernelPool(KernelPool.global().threads());
                CompiledGraph cg = Compiler.compile(g, new SparseCategoricalCrossEntropyLoss(false),
                        List.of(MetricReduction.ARGMAX_MATCHES_LABEL), new AdamRule(1e-3f, 0.9f, 0.999f, 1e-7f, 0f),
                        pool)) {
            cg.markWarmup();
            Random random = new Random(1);
            for (int p = 0; p < cg.parameters().size(); p++) {
                float[] v = new float[(int) cg.parameters().get(p).size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (random.nextGaussian() * 0.05);
                }
                cg.writeParameter(p, v);
            }
            // Small batches: a step of cold code takes tens of milliseconds, and the user's first step can
            // start in the middle of one; the kernels and their paths are the same at any batch size.
            int rows = 64;
            float[][] x = new float[rows][784];
            int[] y = new int[rows];
            int[] order = new int[rows];
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < 784; j++) {
                    x[r][j] = random.nextFloat();
                }
                y[r] = random.nextInt(10);
                order[r] = (r * 37) % rows; // a shuffled epoch's order (37 is prime to 64)
            }
            cg.ensureCapacity(rows);
            for (int step = 0; step < MAX_STEPS && !userStarted; step++) {
                int batch = step % 2 == 0 ? 32 : 27; // a full batch and a short last one
                FiniteRows.firstNonFinite(x, pool); // the check every input row gets
                cg.loadInputs(x, order, 0, batch);
                cg.loadLabels(y, order, 0, batch);
                switch (step % 8) {
                    case 3 -> cg.evaluateStep(batch);
                    case 7 -> cg.predictStep(batch);
                    default -> cg.trainStep(batch);
                }
            }
        } catch (RuntimeException e) {
            // A warm-up that fails costs nothing but its speed-up; the user's own steps will say what is wrong.
        }
    }
}
