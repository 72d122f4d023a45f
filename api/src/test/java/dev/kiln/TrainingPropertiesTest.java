package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.layers.Layer;
import dev.kiln.testing.ReplayableSeed;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Property-based tests (jqwik): for random layer stacks, widths, activations, losses, batch sizes and
 * row counts, fit runs and reports a finite loss, predict returns one finite row of the output width per
 * input row, and every parameter's gradient matches central finite differences of the loss. Each run prints
 * its seed and accepts one ({@link ReplayableSeed}), so a failure in CI can be replayed.
 */
@AddLifecycleHook(ReplayableSeed.class)
class TrainingPropertiesTest {
    private static final List<String> HIDDEN = List.of("linear", "relu", "sigmoid", "tanh", "leaky_relu", "elu",
            "gelu", "silu", "softmax");
    /** Smooth everywhere, so a finite difference near a kink cannot fail a correct gradient. */
    private static final List<String> SMOOTH = List.of("linear", "sigmoid", "tanh", "gelu", "silu");
    private static final List<String> LOSSES = List.of("mse", "mae", "binary_crossentropy", "categorical_crossentropy",
            "sparse_categorical_crossentropy");

    /** One random model and data set. */
    record Spec(int inputs, List<Integer> widths, List<String> activations, boolean dropout, String loss,
            int outputs, String outputActivation, int rows, int batch, long seed) {
        Model compile(String optimizer) {
            List<Layer> layers = new ArrayList<>();
            layers.add(Input(inputs));
            for (int i = 0; i < widths.size(); i++) {
                layers.add(Dense(widths.get(i), activations.get(i)));
                if (dropout && i == 0) {
                    layers.add(Dropout(0.3));
                }
            }
            layers.add(Dense(outputs, outputActivation));
            Kiln.setSeed(seed);
            return Sequential.of(layers.toArray(Layer[]::new)).compile(optimizer, loss);
        }

        float[][] x() {
            Random r = new Random(seed);
            float[][] x = new float[rows][inputs];
            for (float[] row : x) {
                for (int j = 0; j < inputs; j++) {
                    row[j] = (float) r.nextGaussian();
                }
            }
            return x;
        }

        boolean sparse() {
            return loss.equals("sparse_categorical_crossentropy");
        }

        int[] labels() {
            Random r = new Random(seed + 1);
            int[] y = new int[rows];
            for (int i = 0; i < rows; i++) {
                y[i] = r.nextInt(outputs);
            }
            return y;
        }

        float[][] targets() {
            Random r = new Random(seed + 2);
            float[][] y = new float[rows][outputs];
            for (float[] row : y) {
                switch (loss) {
                    case "categorical_crossentropy" -> row[r.nextInt(outputs)] = 1;
                    case "binary_crossentropy" -> {
                        for (int j = 0; j < outputs; j++) {
                            row[j] = r.nextInt(2);
                        }
                    }
                    default -> {
                        for (int j = 0; j < outputs; j++) {
                            row[j] = (float) r.nextGaussian();
                        }
                    }
                }
            }
            return y;
        }
    }

    @Provide
    Arbitrary<Spec> models() {
        return specs(HIDDEN, LOSSES, true);
    }

    @Provide
    Arbitrary<Spec> smoothModels() {
        return specs(SMOOTH, List.of("mse", "binary_crossentropy", "categorical_crossentropy",
                "sparse_categorical_crossentropy"), false);
    }

    private static Arbitrary<Spec> specs(List<String> hidden, List<String> losses, boolean dropout) {
        Arbitrary<Integer> depth = Arbitraries.integers().between(0, 3);
        Arbitrary<List<Integer>> widths = depth.flatMap(d -> Arbitraries.integers().between(1, 40).list().ofSize(d));
        return Combinators.combine(
                Arbitraries.integers().between(1, 20),
                widths,
                Arbitraries.of(hidden).list().ofSize(3),
                dropout ? Arbitraries.of(true, false) : Arbitraries.just(false),
                Arbitraries.of(losses),
                Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(1, 70),
                Arbitraries.longs()).flatAs((in, ws, acts, drop, loss, outs, rows, seed) -> {
                    int outputs = loss.contains("categorical") ? Math.max(2, outs) : outs;
                    String outAct = switch (loss) {
                        case "binary_crossentropy" -> "sigmoid";
                        case "categorical_crossentropy", "sparse_categorical_crossentropy" -> "softmax";
                        default -> acts.get(acts.size() - 1).equals("softmax") && outputs == 1 ? "linear" : acts.get(0);
                    };
                    return Arbitraries.integers().between(1, rows + 5).map(batch -> new Spec(in, ws,
                            acts.subList(0, ws.size()), drop, loss, outputs, outAct, rows, batch, seed));
                });
    }

    @Property(tries = 60)
    void fitGivesAFiniteLossAndPredictTheRightShape(@ForAll("models") Spec spec) {
        try (Model model = spec.compile("adam")) {
            float[][] x = spec.x();
            History h = spec.sparse()
                    ? model.fit(x, spec.labels(), epochs(2), batchSize(spec.batch()), verbose(0))
                    : model.fit(x, spec.targets(), epochs(2), batchSize(spec.batch()), verbose(0));
            for (double loss : h.history().get("loss")) {
                assertTrue(Double.isFinite(loss), spec + " loss " + loss);
            }
            assertEquals((spec.rows() + spec.batch() - 1) / spec.batch() * 2, model.iterations(), spec.toString());
            float[][] p = model.predict(x);
            assertEquals(spec.rows(), p.length);
            for (float[] row : p) {
                assertEquals(spec.outputs(), row.length, spec.toString());
                for (float v : row) {
                    assertTrue(Float.isFinite(v), spec + " prediction " + v);
                }
            }
        }
    }

    /**
     * The gradient a training step leaves for each parameter against (L(w+h) − L(w−h)) / 2h of the
     * evaluated loss, through the compiled graph of the model the user built; learning rate 0 keeps
     * the weights where they are while the step computes the gradients.
     */
    @Property(tries = 40)
    void gradientsMatchFiniteDifferences(@ForAll("smoothModels") Spec spec) {
        try (Model model = spec.compile("sgd")) {
            CompiledGraph cg = model.compiledGraph();
            cg.setLearningRate(0f);
            int rows = Math.min(spec.rows(), spec.batch());
            cg.ensureCapacity(rows);
            cg.loadInputs(spec.x(), null, 0, rows);
            if (spec.sparse()) {
                cg.loadLabels(spec.labels(), null, 0, rows);
            } else {
                cg.loadTargets(spec.targets(), null, 0, rows);
            }
            cg.trainStep(rows);
            Random pick = new Random(spec.seed());
            for (int p = 0; p < cg.parameters().size(); p++) {
                float[] analytic = cg.readGradient(p);
                float[] w = cg.readParameter(p);
                for (int trial = 0; trial < 3; trial++) {
                    int j = pick.nextInt(w.length);
                    double numeric = numericGradient(cg, p, w, j, rows);
                    double tolerance = 3e-3 + 3e-2 * Math.abs(numeric);
                    int param = p;
                    assertEquals(numeric, analytic[j], tolerance,
                            () -> spec + " " + cg.parameters().get(param) + " element " + j);
                }
            }
        }
    }

    private static double numericGradient(CompiledGraph cg, int p, float[] w, int j, int rows) {
        float original = w[j];
        double h = 1e-2;
        w[j] = (float) (original + h);
        cg.writeParameter(p, w);
        cg.evaluateStep(rows);
        double plus = cg.lossSum() / rows;
        w[j] = (float) (original - h);
        cg.writeParameter(p, w);
        cg.evaluateStep(rows);
        double minus = cg.lossSum() / rows;
        w[j] = original;
        cg.writeParameter(p, w);
        return (plus - minus) / ((double) (float) (original + h) - (float) (original - h));
    }
}
