package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.runtime.LossFunction;
import dev.kiln.core.runtime.MetricReduction;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.core.runtime.UpdateRule;
import java.util.List;
import java.util.Random;

/** Small graphs and data for the graph tests. */
final class GraphFixtures {
    private GraphFixtures() {
    }

    /** input(in) → matmul → bias → act → matmul → bias → [outAct] as separate primitive nodes. */
    static Graph twoLayer(int in, int hidden, int out, Activation hiddenAct, Activation outAct, boolean bias) {
        Graph g = new Graph(in);
        Node n = g.add("dense", new MatMul(new Parameter("dense/kernel", in, hidden)), g.input());
        if (bias) {
            n = g.add("dense/bias_add", new BiasAdd(new Parameter("dense/bias", hidden)), n);
        }
        if (hiddenAct != Activation.LINEAR) {
            n = g.add("dense/act", new Activate(hiddenAct), n);
        }
        n = g.add("dense_1", new MatMul(new Parameter("dense_1/kernel", hidden, out)), n);
        if (bias) {
            n = g.add("dense_1/bias_add", new BiasAdd(new Parameter("dense_1/bias", out)), n);
        }
        if (outAct != Activation.LINEAR) {
            g.add("dense_1/act", new Activate(outAct), n);
        }
        return g;
    }

    static CompiledGraph compile(Graph g, LossFunction loss, UpdateRule rule, boolean fuse, KernelPool pool,
            List<MetricReduction> metrics) {
        return Compiler.compile(g, loss, metrics, rule, pool, fuse);
    }

    /** Fills every parameter with small random values from {@code seed} (>= 0 where it must be, a variance). */
    static void randomize(CompiledGraph cg, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < cg.parameters().size(); i++) {
            boolean nonNegative = cg.parameters().get(i).nonNegative();
            float[] v = new float[(int) cg.parameters().get(i).size()];
            for (int j = 0; j < v.length; j++) {
                double value = r.nextGaussian() * 0.5;
                v[j] = (float) (nonNegative ? Math.abs(value) : value);
            }
            cg.writeParameter(i, v);
        }
    }

    static float[][] randomRows(int rows, int cols, long seed) {
        Random r = new Random(seed);
        float[][] x = new float[rows][cols];
        for (float[] row : x) {
            for (int j = 0; j < cols; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        return x;
    }

    static int[] randomLabels(int rows, int classes, long seed) {
        Random r = new Random(seed);
        int[] y = new int[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = r.nextInt(classes);
        }
        return y;
    }

    /** Rows of probabilities-like targets in (0,1), for mse, bce and soft categorical targets. */
    static float[][] randomTargets(int rows, int cols, long seed, boolean normalise) {
        Random r = new Random(seed);
        float[][] y = new float[rows][cols];
        for (float[] row : y) {
            double sum = 0;
            for (int j = 0; j < cols; j++) {
                row[j] = 0.05f + 0.9f * r.nextFloat();
                sum += row[j];
            }
            if (normalise) {
                for (int j = 0; j < cols; j++) {
                    row[j] /= (float) sum;
                }
            }
        }
        return y;
    }
}
