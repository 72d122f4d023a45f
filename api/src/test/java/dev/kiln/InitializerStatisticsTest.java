package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.initializers.Initializers;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The initializers against Keras' formulas, checked statistically on tens of thousands of draws: the
 * bound no value passes and that the largest values reach, the mean and the variance (within five
 * standard errors of the sample). Uniform draws lie in ±√(3·scale/n), truncated normals in two standard
 * deviations of a normal whose standard deviation is √(scale/n)/0.8796 (so the variance is scale/n);
 * scale is 1 for glorot and lecun and 2 for he, and n is fan_in, or for glorot the mean of fan_in and
 * fan_out. Then the fans each Dense layer passes: its input width and its units for the kernel, its units
 * for the bias.
 */
class InitializerStatisticsTest {
    private static final int FAN_IN = 400;
    private static final int FAN_OUT = 100;
    /** The standard deviation of a unit normal truncated to [−2, 2]: Φ and φ at 2 give 0.87962566. */
    private static final double TRUNCATED_UNIT_STDDEV = 0.87962566103423978;

    @Test
    void uniformInitializersDrawWithinTheirLimitWithItsVariance() {
        assertUniform("glorot_uniform", Math.sqrt(6.0 / (FAN_IN + FAN_OUT)));
        assertUniform("he_uniform", Math.sqrt(6.0 / FAN_IN));
        assertUniform("lecun_uniform", Math.sqrt(3.0 / FAN_IN));
    }

    @Test
    void truncatedNormalInitializersHaveTheirVarianceAndCutAtTwoStandardDeviations() {
        assertTruncatedNormal("glorot_normal", 2.0 / (FAN_IN + FAN_OUT));
        assertTruncatedNormal("he_normal", 2.0 / FAN_IN);
        assertTruncatedNormal("lecun_normal", 1.0 / FAN_IN);
    }

    @Test
    void constantInitializers() {
        for (float w : Initializers.resolve("zeros").initialize(3, 5, new Random(1))) {
            assertEquals(0f, w);
        }
        for (float w : Initializers.resolve("ones").initialize(3, 5, new Random(1))) {
            assertEquals(1f, w);
        }
    }

    /**
     * Each Dense kernel takes its fans from the layer's input width and units, whether the width comes
     * from Input or from the first rows the model sees; a bias, a vector of units values, has both fans
     * equal to units (as Keras counts for one dimension).
     */
    @Test
    void everyDenseLayerPassesItsOwnFans() {
        Kiln.setSeed(3);
        try (Model model = Sequential.of(Input(FAN_IN), Dense(FAN_OUT, "relu", true, "he_uniform", "zeros"),
                Dense(300), Dense(200, "linear", true, "lecun_normal", "he_uniform"))
                .compile("sgd", "mse")) {
            List<float[]> w = model.getWeights();
            Sample.of(w.get(0)).assertUniform(Math.sqrt(6.0 / FAN_IN), "first kernel, he_uniform, fan_in 400");
            Sample.of(w.get(1)).assertAllEqual(0f, "first bias, zeros");
            Sample.of(w.get(2)).assertUniform(Math.sqrt(6.0 / (FAN_OUT + 300)),
                    "second kernel, default glorot_uniform, fans 100 and 300");
            Sample.of(w.get(4)).assertTruncatedNormal(1.0 / 300, "third kernel, lecun_normal, fan_in 300");
            Sample.of(w.get(5)).assertUniformBound(Math.sqrt(6.0 / 200), "third bias, he_uniform, fan 200");
        }
        // Without Input, the first predict builds the model from the width of its rows.
        try (Model model = Sequential.of(Dense(50, "linear", true, "he_normal", "zeros")).compile("sgd", "mse")) {
            model.predict(new float[1][600]);
            Sample.of(model.getWeights().get(0)).assertTruncatedNormal(2.0 / 600, "kernel built from rows of 600");
        }
    }

    private static void assertUniform(String name, double limit) {
        float[] w = Initializers.resolve(name).initialize(FAN_IN, FAN_OUT, new Random(name.hashCode()));
        assertEquals(FAN_IN * FAN_OUT, w.length, name);
        Sample.of(w).assertUniform(limit, name);
    }

    private static void assertTruncatedNormal(String name, double variance) {
        float[] w = Initializers.resolve(name).initialize(FAN_IN, FAN_OUT, new Random(name.hashCode()));
        assertEquals(FAN_IN * FAN_OUT, w.length, name);
        Sample.of(w).assertTruncatedNormal(variance, name);
    }

    /** Mean, variance and largest magnitude of some draws, with the standard errors of the first two. */
    private record Sample(float[] values, double mean, double variance, double maxAbs, double meanError,
            double varianceError) {
        static Sample of(float[] w) {
            int n = w.length;
            double sum = 0;
            double sumSquares = 0;
            double sumFourth = 0;
            double maxAbs = 0;
            for (float v : w) {
                double x = v;
                sum += x;
                sumSquares += x * x;
                sumFourth += x * x * x * x;
                maxAbs = Math.max(maxAbs, Math.abs(x));
            }
            double mean = sum / n;
            // About zero means, so the variance is taken as the mean square, whose spread is that of x².
            double meanSquare = sumSquares / n;
            double squareSpread = Math.sqrt(Math.max(0, sumFourth / n - meanSquare * meanSquare));
            return new Sample(w, mean, meanSquare, maxAbs, Math.sqrt(meanSquare / n), squareSpread / Math.sqrt(n));
        }

        /** Uniform in ±limit: nothing beyond it, the largest draws next to it, variance limit²/3. */
        void assertUniform(double limit, String what) {
            assertUniformBound(limit, what);
            assertMoments(limit * limit / 3, what);
        }

        /** Only the bound, for samples too small to pin the variance. */
        void assertUniformBound(double limit, String what) {
            assertTrue(maxAbs <= limit * (1 + 1e-6), what + ": a value of magnitude " + maxAbs + " beyond " + limit);
            assertTrue(maxAbs >= limit * (1 - 20.0 / values.length), what + ": the largest magnitude " + maxAbs
                    + " stays well inside the limit " + limit);
        }

        /** Variance {@code variance}, cut at two standard deviations of the normal before truncation. */
        void assertTruncatedNormal(double variance, String what) {
            double cut = 2 * Math.sqrt(variance) / TRUNCATED_UNIT_STDDEV;
            assertTrue(maxAbs <= cut * (1 + 1e-6), what + ": a value of magnitude " + maxAbs + " beyond the cut " + cut);
            assertTrue(maxAbs >= 0.98 * cut, what + ": the largest magnitude " + maxAbs + " stays well inside the cut "
                    + cut);
            assertMoments(variance, what);
        }

        void assertAllEqual(float expected, String what) {
            for (float v : values) {
                assertEquals(expected, v, what);
            }
        }

        private void assertMoments(double expectedVariance, String what) {
            assertTrue(Math.abs(mean) <= 5 * meanError, what + ": mean " + mean + ", expected 0 ± " + 5 * meanError);
            assertTrue(Math.abs(variance - expectedVariance) <= 5 * varianceError, what + ": variance " + variance
                    + ", expected " + expectedVariance + " ± " + 5 * varianceError);
        }
    }
}
