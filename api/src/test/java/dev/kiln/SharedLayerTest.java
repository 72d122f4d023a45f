package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.shuffle;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.FunctionalModelTest.assertClose;
import static dev.kiln.FunctionalModelTest.rows;
import static dev.kiln.FunctionalModelTest.weights;
import static dev.kiln.Layers.Add;
import static dev.kiln.Layers.BatchNormalization;
import static dev.kiln.Layers.Concatenate;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.SymbolicTensor;
import dev.kiln.optimizers.SGD;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A layer applied at several places (a shared layer, as in a siamese network) holds one set of weights
 * that every application reads and trains, as in Keras. The numbers come from
 * {@code tools/keras-fixtures/functional_reference.py} (Keras 3.15.1 on JAX).
 */
class SharedLayerTest {
    static final float[][] SIAMESE_BEFORE = {
            {-0.11883935332298279f, -0.29081472754478455f},
            {0.24704942107200623f, 0.2110828459262848f},
            {-0.2758808434009552f, -0.5459590554237366f},
            {0.4618183374404907f, 0.366495281457901f},
            {-0.2345433533191681f, -0.39411911368370056f}};
    static final double SIAMESE_LOSS = 1.293641448020935;
    static final float[][] SIAMESE_AFTER = {
            {-0.11522996425628662f, -0.21619519591331482f},
            {-0.11960095167160034f, 0.4465670585632324f},
            {-0.22515785694122314f, -0.49681830406188965f},
            {0.06585526466369629f, 0.5996440649032593f},
            {-0.20338398218154907f, -0.3263475298881531f}};
    static final float[][] SIAMESE_KERNEL_AFTER = {
            {-0.3595230281352997f, -0.07941047102212906f, 0.28389695286750793f},
            {-0.4262942373752594f, -0.003325218101963401f, 0.2991402745246887f},
            {-0.3447304666042328f, -0.039501361548900604f, 0.31306570768356323f},
            {-0.29565808176994324f, -0.06876761466264725f, 0.3431340456008911f}};

    /** One encoder reads both inputs; the two encodings, joined, feed a linear head. */
    static Model siamese() {
        InputLayer left = Input(4);
        InputLayer right = Input(4);
        Layer encoder = Dense(3, "tanh");
        SymbolicTensor joined = Concatenate().apply(encoder.apply(left), encoder.apply(right));
        return Model.of(List.of(left, right), Dense(2).apply(joined)).compile(new SGD(0.1), "mse");
    }

    static List<float[][]> siameseInputs() {
        return List.of(rows(5, 4, 5), rows(5, 4, 6));
    }

    @Test
    void aSiameseModelPredictsAndTrainsAsKeras() {
        try (Model model = siamese()) {
            assertEquals(List.of("input_layer", "input_layer_1", "dense", "concatenate", "dense_1"), model.layerNames());
            assertEquals(3, model.layers().size(), "the shared Dense is listed once, as Keras lists it (Inputs apart)");
            List<float[]> current = model.getWeights();
            assertEquals(4, current.size(), "one kernel and one bias for both applications");
            model.setWeights(List.of(weights(21, 12), weights(71, 3), weights(22, 12), weights(72, 2)));
            List<float[][]> x = siameseInputs();
            assertClose(SIAMESE_BEFORE, model.predict(x), 1e-6);
            History h = model.fit(x, rows(5, 2, 7), epochs(1), batchSize(5), shuffle(false), verbose(0));
            assertEquals(SIAMESE_LOSS, h.history().get("loss").get(0), 1e-5);
            assertClose(SIAMESE_AFTER, model.predict(x), 1e-5);
            float[] kernel = model.getWeights().get(0);
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(SIAMESE_KERNEL_AFTER[i][j], kernel[i * 3 + j], 1e-5, "kernel [" + i + "][" + j + "]");
                }
            }
        }
    }

    @Test
    void bothApplicationsReadTheOneSetOfWeights() {
        try (Model model = siamese()) {
            // Equal inputs through one encoder give equal encodings: the head sees the same halves.
            float[][] same = rows(3, 4, 9);
            List<float[]> w = model.getWeights();
            float[] head = w.get(2);
            // Swap the halves of the head's kernel: with shared weights the output cannot change.
            float[] swapped = new float[head.length];
            System.arraycopy(head, 6, swapped, 0, 6);
            System.arraycopy(head, 0, swapped, 6, 6);
            float[][] before = model.predict(List.of(same, same));
            model.setWeights(List.of(w.get(0), w.get(1), swapped, w.get(3)));
            float[][] after = model.predict(List.of(same, same));
            for (int r = 0; r < before.length; r++) {
                assertArrayEquals(before[r], after[r], 1e-6f);
            }
        }
    }

    @Test
    void aLayerAppliedToItsOwnOutputIsListedOnce() {
        InputLayer in = Input(5);
        Layer block = Dense(5, "tanh");
        SymbolicTensor once = block.apply(in);
        try (Model model = Model.of(in, Add().apply(once, block.apply(once))).compile("sgd", "mse")) {
            assertEquals(List.of("input_layer", "dense", "add"), model.layerNames());
            assertSame(block, model.layerSpecs().get(1));
            assertEquals("dense", model.layers().get(0).name());
            assertEquals(2, model.getWeights().size());
            model.fit(rows(8, 5, 1), rows(8, 5, 2), epochs(1), verbose(0));
        }
    }

    /**
     * Keras 3.15.1 lists these layers as input_layer, E, A, B, C, add: the shared A is as deep as its
     * deeper application (i → A → B → C), and its shallow application (i → E → A), reached after, is
     * raised to that depth, which puts E before A. The keys of the weights in files follow this order.
     */
    @Test
    void aSharedLayerIsListedWhereKerasListsIt() {
        for (boolean sharedCallFirst : new boolean[] {false, true}) {
            InputLayer in = Input(4);
            Layer a = Dense(4);
            Layer b = Dense(4);
            Layer c = Dense(4);
            Layer e = Dense(4);
            SymbolicTensor shallow;
            SymbolicTensor deep;
            if (sharedCallFirst) {
                shallow = a.apply(e.apply(in));
                deep = c.apply(b.apply(a.apply(in)));
            } else {
                deep = c.apply(b.apply(a.apply(in)));
                shallow = a.apply(e.apply(in));
            }
            Layer add = Add();
            try (Model model = Model.of(in, add.apply(shallow, deep)).compile("sgd", "mse")) {
                List<Layer> layers = model.layerSpecs();
                assertEquals(6, layers.size());
                assertSame(in, layers.get(0));
                assertSame(e, layers.get(1));
                assertSame(a, layers.get(2));
                assertSame(b, layers.get(3));
                assertSame(c, layers.get(4));
                assertSame(add, layers.get(5));
            }
        }
    }

    /** Keras' summary: one row per layer, counted once, connected to what each application reads. */
    @Test
    void theSummaryCountsASharedLayerOnceAndShowsEveryConnection() {
        try (Model model = siamese()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            model.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String summary = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(summary.contains("input_layer[0][0], input_layer_1[0][0]"), summary);
            assertTrue(summary.contains("dense[0][0], dense[1][0]"), summary);
            assertTrue(summary.contains("Total params: 29 (116.00 B)"), summary);
            assertEquals(1, summary.split("dense \\(Dense\\)", -1).length - 1, summary);
        }
    }

    @Test
    void whatCannotBeSharedIsRefusedByName() {
        InputLayer in = Input(4);
        InputLayer wide = Input(6);
        Layer encoder = Dense(3);
        SymbolicTensor joined = Concatenate().apply(encoder.apply(in), encoder.apply(wide));
        var e = assertThrows(IllegalArgumentException.class, () -> Model.of(List.of(in, wide), joined).compile("sgd", "mse"));
        assertEquals("Dense layer 'dense' is applied to inputs of different shapes: its weight kernel would be [4, 3]"
                + " for one and [6, 3] for another; a shared layer needs inputs of one shape", e.getMessage());

        Layer norm = BatchNormalization();
        SymbolicTensor normalized = Add().apply(norm.apply(in), norm.apply(Dense(4).apply(in)));
        e = assertThrows(IllegalArgumentException.class, () -> Model.of(in, normalized).compile("sgd", "mse"));
        assertEquals("BatchNormalization layer 'batch_normalization' is applied more than once, but it keeps moving"
                + " statistics (moving_mean), which Kiln cannot share between applications; make a layer for each"
                + " place", e.getMessage());

        Layer dense = Dense(4);
        e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(Input(4), dense, dense).compile("sgd", "mse"));
        assertEquals("the Sequential model lists layer 2 (Dense) at place 1 too: a layer in two places of a Sequential"
                + " would share its weights, which Kiln supports in functional models only (Model.of, applying the"
                + " layer twice); make a new layer for each place", e.getMessage());
    }
}
