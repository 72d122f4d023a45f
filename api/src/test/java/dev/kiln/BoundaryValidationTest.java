package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Activation;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Tensor;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Every bad input of issue 5 at the boundary: the exception type, a message naming the offending value
 * and what was expected, and a model left exactly as it was (weights, Adam's slots, step count).
 * The model is trained for a step first so that its optimizer slots are not trivially zero.
 */
class BoundaryValidationTest {
    private static final float[][] X = {{1, 2, 3}, {3, 2, 1}, {0, 1, 0}, {1, 1, 1}};
    private static final int[] Y = {0, 1, 2, 1};

    private Model model;

    @BeforeEach
    void trainedModel() {
        Kiln.setSeed(3);
        model = Sequential.of(Input(3), Dense(4, "relu"), Dense(3, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy");
        model.fit(X, Y, epochs(2), batchSize(2), verbose(0));
    }

    @AfterEach
    void close() {
        model.close();
    }

    /** Runs a call that must be refused, checks the message and that nothing in the model moved. */
    private <E extends RuntimeException> E refused(Class<E> type, Executable call, String... parts) {
        ModelState before = ModelState.of(model);
        E e = assertThrows(type, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "'" + part + "' in: " + e.getMessage());
        }
        ModelState.of(model).assertSameAs(before, e.getMessage());
        return e;
    }

    private static float[][] with(float[][] rows, int i, int j, float v) {
        float[][] copy = Arrays.stream(rows).map(float[]::clone).toArray(float[][]::new);
        copy[i][j] = v;
        return copy;
    }

    @Test
    void xWidthThatDoesNotMatchTheModel() {
        float[][] narrow = {{1, 2}, {2, 1}, {0, 0}, {1, 1}};
        refused(IllegalArgumentException.class, () -> model.fit(narrow, Y, verbose(0)), "2 features", "expects 3");
        refused(IllegalArgumentException.class, () -> model.evaluate(narrow, Y), "2 features", "expects 3");
        refused(IllegalArgumentException.class, () -> model.predict(narrow), "2 features", "expects 3");
        refused(IllegalArgumentException.class, () -> model.predict(Tensor.of(narrow)), "2 features", "expects 3");
    }

    @Test
    void rowCountsOfXAndYThatDiffer() {
        refused(IllegalArgumentException.class, () -> model.fit(X, new int[] {0, 1, 2}, verbose(0)),
                "x has 4 rows", "y has 3");
        refused(IllegalArgumentException.class, () -> model.evaluate(X, new int[] {0, 1}), "x has 4 rows", "y has 2");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y,
                validationData(new float[][] {{1, 2, 3}}, new int[] {0, 1}), verbose(0)),
                "validation x has 1 rows", "validation y has 2");
    }

    @Test
    void sparseLabelsOutsideTheClasses() {
        refused(IllegalArgumentException.class, () -> model.fit(X, new int[] {0, 1, 3, 1}, verbose(0)),
                "y[2] is 3", "[0, 3)");
        refused(IllegalArgumentException.class, () -> model.fit(X, new int[] {0, -1, 2, 1}, verbose(0)),
                "y[1] is -1", "[0, 3)");
        refused(IllegalArgumentException.class, () -> model.evaluate(X, new int[] {0, 1, 2, 7}), "y[3] is 7");
        refused(IllegalArgumentException.class,
                () -> model.fit(X, new float[][] {{0}, {1.5f}, {2}, {1}}, verbose(0)), "1.5", "whole class indices");
    }

    @Test
    void oneHotRowsOfTheWrongWidth() {
        try (Model categorical = Sequential.of(Input(3), Dense(3, "softmax")).compile("adam", "categorical_crossentropy")) {
            float[][] twoWide = {{1, 0}, {0, 1}, {1, 0}, {0, 1}};
            model.close();
            model = categorical;
            refused(IllegalArgumentException.class, () -> categorical.fit(X, twoWide, verbose(0)),
                    "y row 0 has 2 values", "3 outputs expects 3");
            refused(IllegalArgumentException.class, () -> categorical.fit(X, Tensor.of(twoWide), verbose(0)),
                    "2 values", "3 outputs");
            refused(IllegalArgumentException.class, () -> categorical.fit(X, Y, verbose(0)),
                    "class indices", "rows of 3 values");
        }
    }

    @Test
    void nanAndInfinityInXOrY() {
        refused(IllegalArgumentException.class, () -> model.fit(with(X, 1, 2, Float.NaN), Y, verbose(0)),
                "x[1][2] is NaN", "finite");
        refused(IllegalArgumentException.class, () -> model.fit(with(X, 3, 0, Float.POSITIVE_INFINITY), Y, verbose(0)),
                "x[3][0] is Infinity", "finite");
        refused(IllegalArgumentException.class, () -> model.predict(with(X, 0, 0, Float.NEGATIVE_INFINITY)),
                "x[0][0] is -Infinity");
        refused(IllegalArgumentException.class, () -> model.fit(Tensor.of(with(X, 2, 1, Float.NaN)), Y, verbose(0)),
                "x[2][1] is NaN", "finite", "[4, 3]");
        refused(IllegalArgumentException.class, () -> model.predict(Tensor.of(with(X, 1, 1, Float.POSITIVE_INFINITY))),
                "x[1][1] is Infinity");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y,
                validationData(with(X, 0, 1, Float.NaN), Y), verbose(0)), "validation x[0][1] is NaN");
        refused(IllegalArgumentException.class, () -> model.fit(X, new float[][] {{0}, {Float.NaN}, {2}, {1}}, verbose(0)),
                "y[1][0] is NaN", "finite");
        try (Model regression = Sequential.of(Input(3), Dense(2)).compile("sgd", "mse")) {
            model.close();
            model = regression;
            float[][] y = {{1, 2}, {3, 4}, {5, 6}, {7, 8}};
            refused(IllegalArgumentException.class, () -> regression.fit(X, with(y, 2, 1, Float.POSITIVE_INFINITY),
                    verbose(0)), "y[2][1] is Infinity", "finite");
            refused(IllegalArgumentException.class, () -> regression.fit(X, Tensor.of(with(y, 3, 0, Float.NaN)),
                    verbose(0)), "y[3][0] is NaN", "finite");
            refused(IllegalArgumentException.class, () -> regression.evaluate(X, Tensor.of(with(y, 0, 1,
                    Float.NEGATIVE_INFINITY))), "y[0][1] is -Infinity");
        }
    }

    @Test
    void emptyX() {
        refused(IllegalArgumentException.class, () -> model.fit(new float[0][], new int[0], verbose(0)),
                "x is empty", "at least one row");
        refused(IllegalArgumentException.class, () -> model.predict(new float[0][]), "x is empty");
        refused(IllegalArgumentException.class, () -> model.predict(Tensor.zeros(0, 3)), "[0, 3]",
                "at least one of each");
        refused(IllegalArgumentException.class, () -> model.predict(new float[][] {{}, {}}), "no values",
                "at least one feature");
    }

    @Test
    void raggedRows() {
        float[][] ragged = {{1, 2, 3}, {1, 2}, {1, 2, 3}, {0, 0, 0}};
        refused(IllegalArgumentException.class, () -> model.fit(ragged, Y, verbose(0)),
                "x row 1 has 2 values", "row 0 has 3");
        refused(IllegalArgumentException.class, () -> model.predict(new float[][] {{1, 2, 3}, null}),
                "x row 1 has no array");
        refused(IllegalArgumentException.class, () -> Tensor.of(ragged), "row 1 has 2 values", "row 0 has 3");
    }

    @Test
    void fitOptionsOutOfRange() {
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, batchSize(0)), "batchSize", "positive", "got 0");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, batchSize(-32)), "got -32");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, epochs(-1)), "epochs must be >= 0", "got -1");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, validationSplit(1.0)), "[0, 1)", "got 1.0");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, validationSplit(-0.1)), "[0, 1)", "got -0.1");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, validationSplit(Double.NaN)), "got NaN");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, validationSplit(0.8), verbose(0)),
                "validationSplit 0.8 of 4 rows", "both need at least one row");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, verbose(3)), "verbose", "got 3");
        refused(IllegalArgumentException.class, () -> model.fit(X, Y, (FitOption) null), "null");
        // epochs(0) is valid, as in Keras: it trains nothing.
        ModelState before = ModelState.of(model);
        assertEquals(0, model.fit(X, Y, epochs(0), verbose(0)).epoch().size());
        ModelState.of(model).assertSameAs(before, "epochs(0)");
    }

    @Test
    void unknownNamesListTheValidOnesAndTheNearest() {
        String[][] cases = {
            {"activation", "rleu", "relu"},
            {"loss", "sparse_categorical_crossentropi", "sparse_categorical_crossentropy"},
            {"optimizer", "adma", "adam"},
            {"metric", "acuracy", "accuracy"},
            {"initializer", "he_unifrom", "he_uniform"},
        };
        Sequential s = Sequential.of(Dense(2));
        for (String[] c : cases) {
            Executable call = switch (c[0]) {
                case "activation" -> () -> Dense(2, c[1]);
                case "loss" -> () -> s.compile("adam", c[1]);
                case "optimizer" -> () -> s.compile(c[1], "mse");
                case "metric" -> () -> s.compile("adam", "mse", c[1]);
                default -> () -> Dense(2, "relu", true, c[1], "zeros");
            };
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call, c[0]);
            assertTrue(e.getMessage().contains("unknown " + c[0] + " '" + c[1] + "'"), e.getMessage());
            assertTrue(e.getMessage().contains("expected one of ["), e.getMessage());
            assertTrue(e.getMessage().contains("did you mean '" + c[2] + "'?"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation("softmx"));
        assertTrue(e.getMessage().contains("did you mean 'softmax'?"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dense(2, "relu", true, "glorot_uniform", "zeroes"));
        assertTrue(e.getMessage().contains("'zeroes'") && e.getMessage().contains("did you mean 'zeros'?"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> s.compile("adam", (String) null));
        assertTrue(e.getMessage().contains("loss is null"), e.getMessage());
    }

    @Test
    void aLossThatCannotFitTheOutputIsRefusedAtCompile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Dense(8, "relu"), Dense(1, "sigmoid")).compile("adam", "sparse_categorical_crossentropy"));
        assertTrue(e.getMessage().contains("at least 2 outputs") && e.getMessage().contains("has 1")
                && e.getMessage().contains("binary_crossentropy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Dense(10, "softmax")).compile("adam", "binary_crossentropy"));
        assertTrue(e.getMessage().contains("10 outputs") && e.getMessage().contains("softmax")
                && e.getMessage().contains("expected 'sigmoid'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Dense(10), Activation("softmax"), Dropout(0.1)).compile("adam", "bce"));
        assertTrue(e.getMessage().contains("softmax"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(4), Dense(1)).compile("adam", "categorical_crossentropy"));
        assertTrue(e.getMessage().contains("at least 2 outputs") && e.getMessage().contains("has 1"), e.getMessage());
        // Without a Dense or Input the width is known only at fit: refused there, before building.
        try (Model late = Sequential.of(Activation("softmax")).compile("adam", "sparse_categorical_crossentropy")) {
            e = assertThrows(IllegalArgumentException.class, () -> late.predict(new float[][] {{1}}));
            assertTrue(e.getMessage().contains("at least 2 outputs"), e.getMessage());
            assertFalse(late.isBuilt());
        }
        // What does fit: softmax with the categorical losses, sigmoid with binary.
        Sequential.of(Dense(10, "softmax")).compile("adam", "categorical_crossentropy").close();
        Sequential.of(Dense(10, "sigmoid")).compile("adam", "binary_crossentropy").close();
    }

    @Test
    void callsOnAClosedModel() {
        model.close();
        for (Executable call : List.<Executable>of(
                () -> model.fit(X, Y, verbose(0)), () -> model.fit(Tensor.of(X), Y),
                () -> model.evaluate(X, Y), () -> model.predict(X), () -> model.predict(Tensor.of(X)),
                model::getWeights, () -> model.setWeights(List.of()), model::summary, model::iterations,
                model::compiledPlan, model::layers, model::loss, model::optimizer, model::metrics,
                model::inputWidth, model::isBuilt)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, call);
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        }
        assertTrue(model.isClosed());
        model.close(); // closing twice is harmless
    }

    /** There is no uncompiled model to call: Sequential has no fit/evaluate/predict, so the mistake does not compile. */
    @Test
    void anUncompiledModelCannotBeTrained() {
        for (var m : Sequential.class.getMethods()) {
            assertFalse(List.of("fit", "evaluate", "predict").contains(m.getName()), m.toString());
        }
        // The nearest runtime case: weights of a model that is not built yet.
        try (Model unbuilt = Sequential.of(Dense(2)).compile("sgd", "mse")) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> unbuilt.setWeights(List.of(new float[4], new float[2])));
            assertTrue(e.getMessage().contains("not built yet"), e.getMessage());
            assertEquals(List.of(), unbuilt.getWeights());
        }
    }

    @Test
    void aTensorWhoseMemoryWasFreed() {
        Arena arena = Arena.ofConfined();
        Tensor t = Tensor.allocate(arena, 4, 3);
        arena.close();
        refused(IllegalStateException.class, () -> model.predict(t), "freed", "closed");
        refused(IllegalStateException.class, () -> model.fit(t, Y, verbose(0)), "freed");
        // Tensor itself: its data is gone, and FFM says so with IllegalStateException, never a crash.
        assertThrows(IllegalStateException.class, () -> t.get(0));
        assertThrows(IllegalStateException.class, t::toArray);
    }

    @Test
    void nonFiniteWeightsAndWeightsOfTheWrongShape() {
        List<float[]> w = model.getWeights();
        w.get(2)[5] = Float.NaN;
        refused(IllegalArgumentException.class, () -> model.setWeights(w), "weight 2", "element 5 is NaN", "finite");
        refused(IllegalArgumentException.class, () -> model.setWeights(List.of(new float[1])), "expected 4 weight arrays");
        List<float[]> shortOne = model.getWeights();
        shortOne.set(1, new float[3]);
        refused(IllegalArgumentException.class, () -> model.setWeights(shortOne), "needs 4 values", "got 3");
    }

    @Test
    void aModelTooLargeToAddressIsRefusedBeforeAllocating() {
        long live = dev.kiln.core.memory.Memory.liveBytes();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(100_000), Dense(100_000)).compile("sgd", "mse"));
        assertTrue(e.getMessage().contains("10000100000") && e.getMessage().contains("expected at most"), e.getMessage());
        assertEquals(live, dev.kiln.core.memory.Memory.liveBytes(), "nothing allocated");
        e = assertThrows(IllegalArgumentException.class, () -> Dense(0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Dropout(1.0));
        assertTrue(e.getMessage().contains("[0, 1)") && e.getMessage().contains("1.0"), e.getMessage());
    }
}
