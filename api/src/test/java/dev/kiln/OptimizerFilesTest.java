package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Dropout;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.optimizers.Adagrad;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.AdamW;
import dev.kiln.optimizers.GradientClipping;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.RMSprop;
import dev.kiln.optimizers.SGD;
import dev.kiln.optimizers.schedules.CosineDecay;
import dev.kiln.optimizers.schedules.ExponentialDecay;
import dev.kiln.optimizers.schedules.InverseTimeDecay;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import dev.kiln.optimizers.schedules.PiecewiseConstantDecay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Learning-rate schedules and gradient clipping survive save/load in Keras' form, a model trained
 * with them resumes to the same bits, and a schedule with no saved form is refused before writing.
 */
class OptimizerFilesTest {
    @TempDir
    Path dir;

    static Stream<LearningRateSchedule> schedules() {
        return Stream.of(new ExponentialDecay(0.05, 3, 0.8), new ExponentialDecay(0.05, 3, 0.8, true),
                new InverseTimeDecay(0.05, 2, 0.5), new InverseTimeDecay(0.05, 2, 0.5, true),
                new PiecewiseConstantDecay(new long[] {3, 7}, new double[] {0.05, 0.02, 0.01}),
                new CosineDecay(0.05, 10), new CosineDecay(0.05, 10, 0.1),
                new CosineDecay(0.0, 10, 0.1, 0.05, 4));
    }

    static Stream<Optimizer> clipped() {
        return Stream.of(new Adam(0.01).withClipnorm(0.5), new Adam(0.01).withClipvalue(0.01),
                new Adam(0.01).withGlobalClipnorm(0.3), new SGD(0.05, 0.9, true).withClipnorm(1.5),
                new AdamW(0.01, 0.02).withClipvalue(0.2), new RMSprop(0.01).withGlobalClipnorm(2.0),
                new Adagrad(0.05).withClipnorm(0.7));
    }

    private static Model model(Optimizer optimizer) {
        Kiln.setSeed(5);
        return Sequential.of(Input(5), Dense(8, "relu"), Dropout(0.2), Dense(3, "softmax"))
                .compile(optimizer, "sparse_categorical_crossentropy");
    }

    private static float[][] x() {
        return ModelFilesTest.inputs(40, 5, 3);
    }

    private static void assertSameSchedule(LearningRateSchedule expected, LearningRateSchedule actual) {
        assertNotNull(actual);
        assertEquals(expected.getClass(), actual.getClass());
        for (long step = 0; step < 40; step++) {
            assertEquals(expected.at(step), actual.at(step), 0.0, "rate at step " + step);
        }
        if (expected instanceof PiecewiseConstantDecay p) {
            var q = (PiecewiseConstantDecay) actual;
            assertArrayEquals(p.boundaries(), q.boundaries());
            assertArrayEquals(p.values(), q.values());
        } else {
            assertEquals(expected, actual); // records: every field
        }
    }

    private JsonNode optimizerConfig(Path file) throws IOException {
        try (var zip = new ZipFile(file.toFile())) {
            byte[] json = zip.getInputStream(zip.getEntry("config.json")).readAllBytes();
            return new ObjectMapper().readTree(json).get("compile_config").get("optimizer").get("config");
        }
    }

    @ParameterizedTest
    @MethodSource("schedules")
    void everyScheduleRoundTripsInKerasForm(LearningRateSchedule schedule) throws IOException {
        Path file = dir.resolve("s.kiln");
        try (Model m = model(new Adam(schedule))) {
            m.save(file);
            JsonNode lr = optimizerConfig(file).get("learning_rate");
            assertEquals("keras.optimizers.schedules", lr.get("module").asText());
            assertEquals(schedule.getClass().getSimpleName(), lr.get("class_name").asText());
            assertEquals(schedule.getClass().getSimpleName(), lr.get("config").get("name").asText());
            try (Model loaded = Model.load(file)) {
                assertSameSchedule(schedule, loaded.optimizer().schedule());
                assertEquals(m.optimizer().learningRate(), loaded.optimizer().learningRate());
                assertEquals(GradientClipping.NONE, loaded.optimizer().clipping());
            }
        }
    }

    @Test
    void scheduleFieldsHaveKerasNames() throws IOException {
        Path file = dir.resolve("names.kiln");
        try (Model m = model(new SGD(new CosineDecay(0.0, 10, 0.1, 0.05, 4)))) {
            m.save(file);
        }
        JsonNode c = optimizerConfig(file).get("learning_rate").get("config");
        assertEquals(0.0, c.get("initial_learning_rate").asDouble());
        assertEquals(10, c.get("decay_steps").asLong());
        assertEquals(0.1, c.get("alpha").asDouble());
        assertEquals(0.05, c.get("warmup_target").asDouble());
        assertEquals(4, c.get("warmup_steps").asLong());
        try (Model m = model(new SGD(new CosineDecay(0.05, 10)))) {
            m.save(file);
        }
        assertTrue(optimizerConfig(file).get("learning_rate").get("config").get("warmup_target").isNull(),
                "no warmup is null, as Keras writes None");
        try (Model m = model(new SGD(new ExponentialDecay(0.1, 100, 0.96, true)))) {
            m.save(file);
        }
        c = optimizerConfig(file).get("learning_rate").get("config");
        assertEquals(0.96, c.get("decay_rate").asDouble());
        assertTrue(c.get("staircase").asBoolean());
        try (Model m = model(new SGD(new PiecewiseConstantDecay(new long[] {5}, new double[] {0.1, 0.01})))) {
            m.save(file);
        }
        c = optimizerConfig(file).get("learning_rate").get("config");
        assertEquals(5, c.get("boundaries").get(0).asLong());
        assertEquals(0.01, c.get("values").get(1).asDouble());
    }

    @ParameterizedTest
    @MethodSource("clipped")
    void everyClipModeRoundTripsUnderItsKerasName(Optimizer optimizer) throws IOException {
        Path file = dir.resolve("c.kiln");
        try (Model m = model(optimizer)) {
            m.save(file);
            JsonNode c = optimizerConfig(file);
            GradientClipping clip = optimizer.clipping();
            assertEquals(clip.clipnorm() > 0, c.get("clipnorm").isNumber());
            assertEquals(clip.clipvalue() > 0, c.get("clipvalue").isNumber());
            assertEquals(clip.globalClipnorm() > 0, c.get("global_clipnorm").isNumber());
            try (Model loaded = Model.load(file)) {
                assertEquals(optimizer, loaded.optimizer());
                assertEquals(clip, loaded.optimizer().clipping());
            }
        }
    }

    @Test
    void unclippedOptimizersWriteNullsAndFilesWithoutTheFieldsStillLoad() throws IOException {
        Path file = dir.resolve("plain.kiln");
        try (Model m = model(new Adam(0.01))) {
            m.save(file);
        }
        JsonNode c = optimizerConfig(file);
        assertTrue(c.get("clipnorm").isNull());
        assertTrue(c.get("clipvalue").isNull());
        assertTrue(c.get("global_clipnorm").isNull());
        try (Model loaded = Model.load(file)) {
            assertEquals(GradientClipping.NONE, loaded.optimizer().clipping());
            assertNull(loaded.optimizer().schedule());
        }
    }

    @Test
    void aTrainedModelWithScheduleAndClippingResumesBitIdentically() throws IOException {
        float[][] x = x();
        int[] y = ModelFilesTest.labels(x, 3);
        Optimizer optimizer = new Adam(new ExponentialDecay(0.05, 4, 0.7)).withGlobalClipnorm(0.5);
        Path file = dir.resolve("trained.kiln");
        List<float[]> uninterrupted;
        try (Model whole = model(optimizer)) {
            whole.fit(x, y, epochs(4), batchSize(8), verbose(0));
            uninterrupted = whole.getWeights();
        }
        try (Model first = model(optimizer)) {
            first.fit(x, y, epochs(2), batchSize(8), verbose(0));
            first.save(file);
            try (Model loaded = Model.load(file)) {
                assertEquals(first.learningRate(), loaded.learningRate(), 0.0);
                loaded.fit(x, y, epochs(4), batchSize(8), verbose(0), FitOption.initialEpoch(2));
                ModelFilesTest.assertWeightsEqual(uninterrupted, loaded.getWeights());
            }
        }
        // The control: without the schedule the rates differ, so the test above can fail.
        try (Model constant = model(new Adam(0.05).withGlobalClipnorm(0.5))) {
            constant.fit(x, y, epochs(4), batchSize(8), verbose(0));
            assertFalse(java.util.Arrays.equals(uninterrupted.get(0), constant.getWeights().get(0)));
        }
    }

    @Test
    void aCustomScheduleIsRefusedBeforeAnythingIsWritten() throws IOException {
        Path file = dir.resolve("custom.kiln");
        LearningRateSchedule custom = step -> 0.1 / (step + 1);
        try (Model m = model(new SGD(custom))) {
            m.fit(x(), ModelFilesTest.labels(x(), 3), epochs(1), verbose(0));
            var e = assertThrows(IllegalArgumentException.class, () -> m.save(file));
            assertTrue(e.getMessage().contains("custom learning-rate schedule"), e.getMessage());
            assertTrue(e.getMessage().contains("saveWeights"), e.getMessage());
            assertFalse(Files.exists(file));
            try (var files = Files.list(dir)) {
                assertEquals(0, files.count(), "no temporary file left either");
            }
            m.saveWeights(dir.resolve("w.safetensors")); // the weights alone can still be kept
        }
    }
}
