package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.callbacks;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.callbacks.LambdaCallback;
import dev.kiln.optimizers.Adagrad;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.AdamW;
import dev.kiln.optimizers.GradientClipping;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.RMSprop;
import dev.kiln.optimizers.SGD;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Gradient clipping through fit: with plain SGD a step moves each weight by lr·(clipped gradient), so
 * the clip shows in how far the weights move per step.
 */
class ClippingTest {
    private static final double LR = 0.1;
    private static final float[][] X = {{3, -1, 2}, {-2, 4, 1}, {5, 0, -3}, {1, 2, 3}};
    private static final float[][] Y = {{40}, {-30}, {25}, {60}};

    /** The weights after every step of a full-batch SGD fit. */
    private static List<List<float[]>> weightsPerStep(SGD sgd, int steps) {
        Kiln.setSeed(3);
        try (Model model = Sequential.of(Input(3), Dense(4, "tanh"), Dense(1)).compile(sgd, "mse")) {
            List<List<float[]>> out = new ArrayList<>();
            out.add(model.getWeights());
            var recorder = LambdaCallback.builder().onBatchEnd((b, logs) -> out.add(model.getWeights())).build();
            model.fit(X, Y, epochs(steps), batchSize(4), verbose(0), callbacks(recorder));
            return out;
        }
    }

    private static double norm(float[] before, float[] after) {
        double s = 0;
        for (int j = 0; j < before.length; j++) {
            double d = (double) after[j] - before[j];
            s += d * d;
        }
        return Math.sqrt(s);
    }

    @Test
    void clipvalueBoundsEveryWeightsMoveByLrTimesTheClip() {
        double clip = 1e-3;
        List<List<float[]>> steps = weightsPerStep(new SGD(LR).withClipvalue(clip), 5);
        double largest = 0;
        for (int s = 1; s < steps.size(); s++) {
            for (int p = 0; p < steps.get(s).size(); p++) {
                float[] before = steps.get(s - 1).get(p);
                float[] after = steps.get(s).get(p);
                for (int j = 0; j < before.length; j++) {
                    double moved = Math.abs((double) after[j] - before[j]);
                    assertTrue(moved <= LR * clip * (1 + 1e-3) + Math.ulp(before[j]),
                            "step " + s + " parameter " + p + " element " + j + " moved " + moved);
                    largest = Math.max(largest, moved);
                }
            }
        }
        assertEquals(LR * clip, largest, LR * clip * 1e-3, "the gradients are large, so some weight moves the full clip");
    }

    @Test
    void clipnormBoundsEachParametersStepAndGlobalClipnormAllOfThem() {
        double clip = 0.5;
        List<List<float[]>> perTensor = weightsPerStep(new SGD(LR).withClipnorm(clip), 3);
        List<List<float[]>> global = weightsPerStep(new SGD(LR).withGlobalClipnorm(clip), 3);
        for (int s = 1; s < 4; s++) {
            double total = 0;
            for (int p = 0; p < 4; p++) {
                double moved = norm(perTensor.get(s - 1).get(p), perTensor.get(s).get(p));
                assertTrue(moved <= LR * clip * (1 + 1e-4), "clipnorm: parameter " + p + " moved " + moved);
                double g = norm(global.get(s - 1).get(p), global.get(s).get(p));
                total += g * g;
            }
            assertEquals(LR * clip, Math.sqrt(total), LR * clip * 1e-4, "global clipnorm: all weights together, step " + s);
        }
        // Unclipped, the same steps are far longer: the clip did something.
        List<List<float[]>> free = weightsPerStep(new SGD(LR), 1);
        assertTrue(norm(free.get(0).get(0), free.get(1).get(0)) > 10 * LR * clip);
    }

    @Test
    void everyOptimizerTakesTheClippingOptionsAndOnlyOneOfThem() {
        List<Optimizer> clipped = List.of(new SGD().withClipnorm(1), new Adam().withClipvalue(0.5),
                new AdamW().withGlobalClipnorm(2), new RMSprop().withClipnorm(1), new Adagrad().withClipvalue(1));
        assertEquals(1.0, clipped.get(0).clipping().clipnorm());
        assertEquals(0.5, clipped.get(1).clipping().clipvalue());
        assertEquals(2.0, clipped.get(2).clipping().globalClipnorm());
        for (Optimizer o : clipped) {
            assertTrue(o.clipping() != GradientClipping.NONE, o.toString());
        }
        assertEquals(GradientClipping.NONE, new Adam().clipping());
        var e = assertThrows(IllegalArgumentException.class, () -> new Adam().withClipnorm(1).withGlobalClipnorm(1));
        assertTrue(e.getMessage().startsWith("only one of clipnorm, clipvalue and global_clipnorm"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SGD().withClipvalue(1).withClipnorm(1));
        assertThrows(IllegalArgumentException.class, () -> new SGD().withClipvalue(-1));
        assertThrows(IllegalArgumentException.class, () -> new SGD().withClipnorm(Double.NaN));
    }
}
