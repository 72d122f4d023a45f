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
        check(cg, rows, trials, seed, include, h, false);
    }

    /**
     * {@code trainingLoss} takes the loss from frozen training steps instead of evaluation, for ops
     * that compute differently while training (batch statistics).
     */
    static void check(CompiledGraph cg, int rows, int trials, long seed, IntPredicate include, double h,
            boolean trainingLoss) {
        cg.trainStep(rows);
        // Every gradient is read before any perturbed step overwrites the buffers.
        float[][] gradients = new float[cg.parameters().size()][];
        for (int p = 0; p < gradients.length; p++) {
            gradients[p] = cg.readGradient(p);
        }
        Random pick = new Random(seed);
        for (int p = 0; p < cg.parameters().size(); p++) {
            if (!include.test(p)) {
                continue;
            }
            float[] analytic = gradients[p];
            float[] w = cg.readParameter(p);
            for (int trial = 0; trial < trials; trial++) {
                int j = pick.nextInt(w.length);
                if (Math.abs(w[j]) < 2 * h) {
                    continue; // keeps |w| (L1) differentiable across the step
                }
                double numeric = numeric(cg, p, w, j, rows, h, trainingLoss);
                double tolerance = 2e-3 + 3e-2 * Math.abs(numeric);
                int param = p;
                assertEquals(numeric, analytic[j], tolerance, () -> cg.parameters().get(param) + " element " + j);
            }
        }
    }

    static double numeric(CompiledGraph cg, int p, float[] w, int j, int rows, double h, boolean trainingLoss) {
        float original = w[j];
        w[j] = (float) (original + h);
        cg.writeParameter(p, w);
        run(cg, rows, trainingLoss);
        double plus = cg.lossSum() / rows;
        w[j] = (float) (original - h);
        cg.writeParameter(p, w);
        run(cg, rows, trainingLoss);
        double minus = cg.lossSum() / rows;
        w[j] = original;
        cg.writeParameter(p, w);
        assertTrue(Double.isFinite(plus) && Double.isFinite(minus));
        return (plus - minus) / ((double) (float) (original + h) - (float) (original - h));
    }

    private static void run(CompiledGraph cg, int rows, boolean trainingLoss) {
        if (trainingLoss) {
            cg.trainStep(rows);
        } else {
            cg.evaluateStep(rows);
        }
    }
}
