package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static dev.kiln.regularizers.Regularizers.L1L2;
import static dev.kiln.regularizers.Regularizers.L2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layers.DenseLayer;
import dev.kiln.optimizers.SGD;
import dev.kiln.regularizers.L1;
import dev.kiln.regularizers.L1L2;
import dev.kiln.regularizers.Regularizers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kernel and bias regularizers: Keras' penalties in the reported loss and in the weight update. */
class RegularizersTest {
    private static final float[][] X = {{1f, 2f, -1f}, {0.5f, -1f, 2f}, {-2f, 0f, 1f}, {1.5f, 1f, 0f}};
    private static final float[][] Y = {{1f, 0f}, {0f, 2f}, {-1f, 1f}, {0.5f, 0.5f}};

    @Test
    void anL2KernelPenaltyAddsToTheLossAndTwiceL2TimesTheWeightToTheGradient() {
        double lr = 0.1;
        double l2 = 0.05;
        double l1 = 0.02;
        try (Model plain = Sequential.of(Input(3), Dense(2)).compile(new SGD(lr), "mse");
                Model reg = Sequential.of(Input(3), Dense(2).kernelRegularizer(L2(l2)).biasRegularizer(new L1(l1)))
                        .compile(new SGD(lr), "mse")) {
            reg.setWeights(plain.getWeights());
            List<float[]> before = plain.getWeights();
            double penalty = 0;
            for (float w : before.get(0)) {
                penalty += l2 * w * w;
            }
            for (float b : before.get(1)) {
                penalty += l1 * Math.abs(b);
            }
            double plainLoss = plain.evaluate(X, Y).get("loss");
            assertEquals(plainLoss + penalty, reg.evaluate(X, Y).get("loss"), 1e-5);

            History hp = plain.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            History hr = reg.fit(X, Y, epochs(1), batchSize(4), shuffle(false), verbose(0));
            assertEquals(hp.history().get("loss").get(0) + penalty, hr.history().get("loss").get(0), 1e-5);
            float[] kernelPlain = plain.getWeights().get(0);
            float[] kernelReg = reg.getWeights().get(0);
            for (int i = 0; i < kernelPlain.length; i++) {
                assertEquals(kernelPlain[i] - lr * 2 * l2 * before.get(0)[i], kernelReg[i], 1e-6, "kernel " + i);
            }
            float[] biasPlain = plain.getWeights().get(1);
            float[] biasReg = reg.getWeights().get(1);
            for (int j = 0; j < biasPlain.length; j++) {
                assertEquals(biasPlain[j] - lr * l1 * Math.signum(before.get(1)[j]), biasReg[j], 1e-6, "bias " + j);
            }
        }
    }

    @Test
    void namesHaveKerasDefaults() {
        assertEquals(0.01, Regularizers.resolve("l1").l1());
        assertEquals(0.0, Regularizers.resolve("l1").l2());
        assertEquals(0.01, Regularizers.resolve("l2").l2());
        assertEquals(new L1L2(0.01, 0.01), Regularizers.resolve("l1_l2"));
        assertEquals(new L1L2(0, 0), new L1L2());
        assertEquals("L2", L2(0.1).className());
        DenseLayer d = Dense(4, "relu").kernelRegularizer("l2").biasRegularizer(L1L2(0.1, 0.2));
        assertEquals(0.01, d.kernelRegularizer().l2());
        assertEquals(0.2, d.biasRegularizer().l2());
        var e = assertThrows(IllegalArgumentException.class, () -> Dense(4).kernelRegularizer("l3"));
        assertTrue(e.getMessage().contains("l1_l2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> L2(-1));
    }

    @Test
    void savingARegularizedModelKeepsThePenalty(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        // LayerPersistenceTest checks exact resumption; this checks the penalty itself survives.
        try (Model m = Sequential.of(Input(3), Dense(2).kernelRegularizer("l2").biasRegularizer(L1L2(0.1, 0.2)))
                .compile("sgd", "mse")) {
            java.nio.file.Path file = dir.resolve("m.kiln");
            m.save(file);
            try (Model loaded = Model.load(file)) {
                assertEquals(m.layerSpecs(), loaded.layerSpecs());
                assertEquals(m.evaluate(X, Y), loaded.evaluate(X, Y));
            }
        }
    }

    @Test
    void aRegularizedModelStillLearns() {
        try (Model m = Sequential.of(Input(3), Dense(8, "tanh").kernelRegularizer("l2"), Dense(2))
                .compile(new SGD(0.05), "mse")) {
            Map<String, Double> first = m.evaluate(X, Y);
            m.fit(X, Y, epochs(50), batchSize(4), verbose(0));
            assertTrue(m.evaluate(X, Y).get("loss") < first.get("loss"));
        }
    }
}
