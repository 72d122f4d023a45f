package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Conv2D;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Flatten;
import static dev.kiln.Layers.GlobalAveragePooling2D;
import static dev.kiln.Layers.GlobalMaxPooling2D;
import static dev.kiln.Layers.Input;
import static dev.kiln.Layers.MaxPooling2D;
import static dev.kiln.Layers.Reshape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Shape;
import dev.kiln.core.memory.Tensor;
import dev.kiln.io.ModelConfig;
import dev.kiln.io.ModelFormatException;
import dev.kiln.layers.Conv2DLayer;
import dev.kiln.layers.MaxPooling2DLayer;
import dev.kiln.layers.PoolingWindow;
import dev.kiln.losses.Losses;
import dev.kiln.optimizers.Adam;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Convolutional models through the public API: shapes and weights as Keras counts them, training, errors. */
class ConvNetTest {
    /** Keras' "simple MNIST convnet", for 28×28 grey images and 10 classes. */
    static Sequential simpleConvnet() {
        return Sequential.of(Input(28, 28, 1), Conv2D(32, 3, "relu"), MaxPooling2D(), Conv2D(64, 3, "relu"),
                MaxPooling2D(), Flatten(), Dropout(0.5), Dense(10, "softmax"));
    }

    @Test
    void theSimpleConvnetHasKerasShapesAndWeightCounts() {
        try (Model m = simpleConvnet().compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            m.summary(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            String s = bytes.toString(StandardCharsets.UTF_8);
            // Keras' summary of the same model: 320, 18,496 and 16,010 weights, 34,826 in all.
            for (String expected : new String[] {"conv2d (Conv2D)", "(None, 26, 26, 32)", "320",
                    "max_pooling2d (MaxPooling2D)", "(None, 13, 13, 32)", "conv2d_1 (Conv2D)", "(None, 11, 11, 64)",
                    "18,496", "max_pooling2d_1", "(None, 5, 5, 64)", "(None, 1600)", "16,010", "34,826"}) {
                assertTrue(s.contains(expected), expected + " in\n" + s);
            }
            assertEquals(6, m.getWeights().size());
            assertEquals(3 * 3 * 32, m.getWeights().get(0).length);
        }
    }

    /**
     * A task only a convolution over the image solves cheaply: is the bright 2×2 square in the left or the
     * right half of a noisy 8×8 image?
     */
    @Test
    void aSmallConvnetLearnsWhereTheSquareIs() {
        Kiln.setSeed(5);
        int n = 256;
        Random random = new Random(3);
        float[] pixels = new float[n * 64];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = random.nextInt(2);
            for (int p = 0; p < 64; p++) {
                pixels[i * 64 + p] = (float) (0.1 * random.nextGaussian());
            }
            int row = random.nextInt(7);
            int col = labels[i] * 4 + random.nextInt(3);
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    pixels[i * 64 + (row + dy) * 8 + col + dx] += 1f;
                }
            }
        }
        Tensor images = Tensor.of(pixels, n, 8, 8, 1);
        try (Model m = Sequential.of(Input(8, 8, 1), Conv2D(4, 3, "relu").padding("same"), MaxPooling2D(),
                Conv2D(8, 2, "relu"), Flatten(), Dense(2, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            double before = m.evaluate(images, labels).get("loss");
            History h = m.fit(images, labels, epochs(15), batchSize(32), verbose(0));
            double after = m.evaluate(images, labels).get("loss");
            assertTrue(after < 0.5 * before, before + " -> " + after);
            assertTrue(h.history().get("accuracy").getLast() > 0.95, h.history().toString());
            assertEquals(n, m.predict(images).length);
        }
    }

    @Test
    void flatRowsMeetImagesThroughReshape() {
        Kiln.setSeed(1);
        float[][] rows = new float[3][16];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 16; j++) {
                rows[i][j] = (i + 1) * (j % 5) * 0.1f;
            }
        }
        try (Model reshaped = Sequential.of(Input(16), Reshape(4, 4, 1), Conv2D(2, 3), GlobalAveragePooling2D(),
                Dense(2, "softmax")).compile("sgd", "sparse_categorical_crossentropy");
             Model shaped = Sequential.of(Input(4, 4, 1), Conv2D(2, 3), GlobalAveragePooling2D(),
                Dense(2, "softmax")).compile("sgd", "sparse_categorical_crossentropy")) {
            shaped.setWeights(reshaped.getWeights());
            float[][] a = reshaped.predict(rows);
            float[] pixels = new float[3 * 16];
            for (int i = 0; i < 3; i++) {
                System.arraycopy(rows[i], 0, pixels, i * 16, 16);
            }
            float[][] b = shaped.predict(Tensor.of(pixels, 3, 4, 4, 1));
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(a[i], b[i], 0f);
            }
        }
    }

    @Test
    void shapeMistakesAreNamedBeforeAnythingRuns() {
        var flat = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(784), Conv2D(32, 3)).compile("sgd", "mse"));
        assertTrue(flat.getMessage().contains("needs images of shape [height, width, channels] but gets examples of"
                + " shape [784]") && flat.getMessage().contains("Reshape("), flat.getMessage());
        var small = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(2, 2, 1), Conv2D(4, 3)).compile("sgd", "mse"));
        assertTrue(small.getMessage().contains("3×3") && small.getMessage().contains("[2, 2, 1]"), small.getMessage());
        var reshape = assertThrows(IllegalArgumentException.class,
                () -> Sequential.of(Input(10), Reshape(3, 3, 1)).compile("sgd", "mse"));
        assertTrue(reshape.getMessage().contains("[3, 3, 1]") && reshape.getMessage().contains("10 values"),
                reshape.getMessage());
    }

    @Test
    void aLossThatCannotFitTheOutputIsRefusedAtCompileThroughFlattenAndReshape() {
        var e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(Dense(1), Flatten())
                .compile("adam", "sparse_categorical_crossentropy"));
        assertTrue(e.getMessage().contains("at least 2 outputs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Sequential.of(Dense(1), Reshape(1, 1, 1), Flatten())
                .compile("adam", "categorical_crossentropy"));
        assertTrue(e.getMessage().contains("at least 2 outputs"), e.getMessage());
        // A convolution's output width depends on the image, so a model of one is checked when it is built.
        Sequential.of(Dense(1), Reshape(1, 1, 1), Conv2D(10, 1, "relu"), GlobalAveragePooling2D())
                .compile("adam", "sparse_categorical_crossentropy").close();
    }

    @Test
    void badArgumentsAreRefusedWhenTheLayerIsMade() {
        assertEquals("padding must be \"valid\" or \"same\", got \"full\"",
                assertThrows(IllegalArgumentException.class, () -> Conv2D(8, 3).padding("full")).getMessage());
        assertEquals("Conv2D filters must be positive, got 0",
                assertThrows(IllegalArgumentException.class, () -> Conv2D(0, 3)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Conv2D(8, 3, "softmax")).getMessage()
                .contains("Flatten()"));
        assertThrows(IllegalArgumentException.class, () -> MaxPooling2D(0));
        assertThrows(IllegalArgumentException.class, () -> Reshape(-1, -1));
        assertThrows(IllegalArgumentException.class, () -> Reshape(2, 0));
        assertThrows(IllegalArgumentException.class, () -> Reshape((int[]) null));
        assertThrows(IllegalArgumentException.class, () -> new MaxPooling2DLayer((PoolingWindow) null));
        Conv2DLayer c = Conv2D(8, 3, "relu").strides(2).padding("SAME");
        assertEquals("same", c.padding());
        assertEquals(Shape.of(14, 14, 8), c.outputShape(Shape.of(28, 28, 1)));
        assertEquals(Shape.of(13, 13, 8), Conv2D(8, 3).strides(2).outputShape(Shape.of(28, 28, 1)));
        assertEquals(Shape.of(7, 7, 3), MaxPooling2D(3).strides(2).padding("same").outputShape(Shape.of(13, 13, 3)));
    }

    static Stream<Arguments> badConvConfigs() {
        return Stream.of(
                Arguments.of("\"dilation_rate\" : [ 1, 1 ]", "\"dilation_rate\" : [ 2, 2 ]", "dilation_rate"),
                Arguments.of("\"groups\" : 1", "\"groups\" : 2", "groups"),
                Arguments.of("\"kernel_size\" : [ 3, 3 ]", "\"kernel_size\" : [ 3, 0 ]", "kernel_size"),
                Arguments.of("\"kernel_size\" : [ 3, 3 ]", "\"kernel_size\" : [ 3 ]", "kernel_size"),
                Arguments.of("\"padding\" : \"valid\"", "\"padding\" : \"causal\"", "padding"),
                Arguments.of("\"pool_size\" : [ 2, 2 ]", "\"pool_size\" : \"big\"", "pool_size"),
                Arguments.of("\"keepdims\" : false", "\"keepdims\" : true", "keepdims"),
                Arguments.of("\"target_shape\" : [ 4, 4, 1 ]", "\"target_shape\" : [ 4, 4, -1, -1 ]", "-1"),
                Arguments.of("\"data_format\" : \"channels_last\"", "\"data_format\" : \"channels_first\"",
                        "data_format"));
    }

    /** A hand-edited or foreign file with a field Kiln cannot honour is refused, naming the field. */
    @ParameterizedTest
    @MethodSource("badConvConfigs")
    void badConvolutionFieldsAreRefusedNamingTheField(String from, String to, String named) throws IOException {
        ModelConfig config = new ModelConfig("test", List.of(Input(16), Reshape(4, 4, 1), Conv2D(2, 3),
                MaxPooling2D(), GlobalMaxPooling2D(), Dense(3, "softmax")), List.of("input_layer", "reshape", "conv2d",
                "max_pooling2d", "global_max_pooling2d", "dense"), 16, new Adam(0.001),
                Losses.resolve("sparse_categorical_crossentropy"), List.of(), new ModelConfig.TrainingState(0, 0.001, 1, 0, 0));
        String json = new String(config.toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains(from), from + " in " + json);
        byte[] bad = json.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to))
                .getBytes(StandardCharsets.UTF_8);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelConfig.fromJson(bad, "bad"));
        assertTrue(e.getMessage().contains(named), e.getMessage());
    }
}
