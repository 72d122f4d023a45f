package dev.kiln.core.graph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Compares the gradients a training step leaves in a compiled graph with central differences of the
 * evaluated loss (lossSum / rows), for graphs whose batch is already loaded and whose rule is frozen.
 */
final class GradientCheck {
    private GradientCheck() {
    }

    /** Checks {@code trials} random elements of every parameter that {@code include} accepts. */
    static void check(CompiledGraph cg, int rows, int trials, long seed, IntPredicate include, double h) {
        cg.trainStep(rows);
        Random pick = new Random(seed);
        for (int p = 0; p < cg.parameters().size(); p++) {
            if (!include.test(p)) {
                continue;
            }
            float[] analytic = cg.readGradient(p);
            float[] w = cg.readParameter(p);
            for (int trial = 0; trial < trials; trial++) {
                int j = pick.nextInt(w.length);
                if (Math.abs(w[j]) < 2 * h) {
                    continue; // keeps |w| (L1) differentiable across the step
                }
                double numeric = numeric(cg, p, w, j, rows, h);
                double tolerance = 2e-3 + 3e-2 * Math.abs(numeric);
                int param = p;
                assertEquals(numeric, analytic[j], tolerance, () -> cg.parameters().get(param) + " element " + j);
            }
        }
    }

    static double numeric(CompiledGraph cg, int p, float[] w, int j, int rows, double h) {
        float original = w[j];
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
        assertTrue(Double.isFinite(plus) && Double.isFinite(minus));
        return (plus - minus) / ((double) (float) (original + h) - (float) (original - h));
    }
}
