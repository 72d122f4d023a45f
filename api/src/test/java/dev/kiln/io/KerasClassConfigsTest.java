package dev.kiln.io;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.losses.BinaryCrossentropy;
import dev.kiln.losses.CategoricalCrossentropy;
import dev.kiln.losses.CategoricalHinge;
import dev.kiln.losses.Hinge;
import dev.kiln.losses.Huber;
import dev.kiln.losses.KLDivergence;
import dev.kiln.losses.LogCosh;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.losses.MeanAbsoluteError;
import dev.kiln.losses.MeanAbsolutePercentageError;
import dev.kiln.losses.MeanSquaredLogarithmicError;
import dev.kiln.losses.Poisson;
import dev.kiln.losses.SparseCategoricalCrossentropy;
import dev.kiln.losses.SquaredHinge;
import dev.kiln.metrics.Metric;
import dev.kiln.metrics.Metrics;
import dev.kiln.metrics.Precision;
import dev.kiln.optimizers.Adagrad;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.AdamW;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.RMSprop;
import dev.kiln.optimizers.SGD;
import dev.kiln.optimizers.schedules.InverseTimeDecay;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every registered optimizer and loss, with hyper-parameters away from their defaults, comes back from
 * the config it writes equal to itself; a class name no registry knows is refused naming the ones it
 * does.
 */
class KerasClassConfigsTest {
    static Stream<Optimizer> optimizers() {
        return Stream.of(new SGD(0.2), new SGD(0.3, 0.8, true).withClipvalue(0.5), new Adam(0.02, 0.8, 0.99, 1e-5),
                new AdamW(0.01, 0.02, 0.85, 0.95, 1e-6).withGlobalClipnorm(2), new RMSprop(0.05, 0.7, 1e-4),
                new Adagrad(new InverseTimeDecay(0.1, 5, 0.5)).withClipnorm(3));
    }

    static Stream<Loss> losses() {
        return Stream.of(new MeanAbsoluteError(), new BinaryCrossentropy(true), new BinaryCrossentropy(false, 0.3),
                new CategoricalCrossentropy(true, 0.1), new SparseCategoricalCrossentropy(true),
                Losses.resolve("mse"), new Huber(0.5), new Huber(), new MeanSquaredLogarithmicError(), new LogCosh(),
                new Poisson(), Losses.resolve("msle"), new Hinge(), new SquaredHinge(), new CategoricalHinge(),
                new KLDivergence(), Losses.resolve("kld"), new MeanAbsolutePercentageError());
    }

    private static ModelConfig config(Optimizer optimizer, Loss loss, List<Metric> metrics) {
        return new ModelConfig("test", List.of(Input(4), Dense(3, "softmax")), List.of("input_layer", "dense"), 4,
                optimizer, loss, metrics, new ModelConfig.TrainingState(0, optimizer.learningRate(), 1, 0, 0));
    }

    @ParameterizedTest
    @MethodSource("optimizers")
    void everyOptimizerComesBackEqual(Optimizer optimizer) throws ModelFormatException {
        ModelConfig back = ModelConfig.fromJson(config(optimizer, Losses.resolve("mse"), List.of()).toJson(), "t");
        assertEquals(optimizer, back.optimizer());
    }

    @ParameterizedTest
    @MethodSource("losses")
    void everyLossComesBackEqual(Loss loss) throws ModelFormatException {
        ModelConfig back = ModelConfig.fromJson(config(new SGD(), loss, List.of()).toJson(), "t");
        assertEquals(loss, back.loss());
    }

    static Stream<Arguments> unknownClasses() {
        return Stream.of(
                Arguments.of("\"class_name\" : \"Adam\"", "\"class_name\" : \"Lamb\"",
                        "optimizer.class_name is 'Lamb'; this Kiln reads SGD, Adam, AdamW, RMSprop and Adagrad"),
                Arguments.of("\"class_name\" : \"CategoricalCrossentropy\"",
                        "\"class_name\" : \"CosineSimilarity\"",
                        "loss.class_name is 'CosineSimilarity'; this Kiln reads loss names and the loss classes"
                                + " MeanSquaredError, MeanAbsoluteError, BinaryCrossentropy, CategoricalCrossentropy,"
                                + " SparseCategoricalCrossentropy, Huber, MeanSquaredLogarithmicError, LogCosh, Poisson,"
                                + " MeanAbsolutePercentageError, Hinge, SquaredHinge, CategoricalHinge and KLDivergence"),
                Arguments.of("\"class_name\" : \"Precision\"", "\"class_name\" : \"F1Score\"",
                        "metrics[1].class_name is 'F1Score'; this Kiln reads metric names and Precision, Recall, AUC,"
                                + " TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, RootMeanSquaredError and"
                                + " R2Score objects"));
    }

    @ParameterizedTest
    @MethodSource("unknownClasses")
    void anUnknownClassIsRefusedNamingTheKnownOnes(String from, String to, String message) {
        String json = new String(config(new Adam(), new CategoricalCrossentropy(true),
                List.of(Metrics.resolve("accuracy"), new Precision())).toJson(), StandardCharsets.UTF_8);
        assertTrue(json.contains(from), json);
        byte[] bad = json.replace(from, to).getBytes(StandardCharsets.UTF_8);
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelConfig.fromJson(bad, "bad"));
        assertTrue(e.getMessage().endsWith(message), e.getMessage());
    }

    @Test
    void slotNamesMatchTheRulesSlots() {
        optimizers().forEach(o -> assertEquals(o.rule().slots(), o.slotNames().size(), o.name()));
        assertEquals(List.of(), new SGD(0.1, 0.0, false).slotNames());
        assertEquals(List.of("momentum"), new SGD(0.1, 0.9, false).slotNames());
        assertEquals(List.of("momentum", "velocity"), new AdamW().slotNames());
    }
}
