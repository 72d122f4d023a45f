package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.layers.Layer;
import dev.kiln.losses.Loss;
import dev.kiln.losses.Losses;
import dev.kiln.metrics.Metric;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.SGD;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Sequential as Keras' is: add mutates in place, pop removes; compile takes names or objects. */
class SequentialTest {
    @Test
    void addWithoutReassigningKeepsTheLayerAsInKeras() {
        var seq = Sequential.of(Input(3));
        seq.add(Dense(4, "relu"));                 // the Keras habit: no reassignment
        assertSame(seq, seq.add(Dense(2)), "add returns the same stack, so calls chain");
        try (Model m = seq.compile("sgd", "mse")) {
            assertEquals(List.of("dense", "dense_1"), m.layers().stream().map(ModelLayer::name).toList());
        }
    }

    @Test
    void popRemovesTheLastLayer() {
        var seq = Sequential.of(Input(3), Dense(4), Dense(2));
        Layer last = seq.pop();
        assertEquals(Dense(2), last);
        assertEquals(2, seq.layers().size());
        seq.pop();
        seq.pop();
        IllegalStateException e = assertThrows(IllegalStateException.class, seq::pop);
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void aCompiledModelKeepsItsLayersWhenTheStackChangesLater() {
        var seq = Sequential.of(Input(3), Dense(2));
        try (Model m = seq.compile("sgd", "mse")) {
            seq.add(Dense(1));
            assertEquals(1, m.layers().size());
            assertThrows(UnsupportedOperationException.class, () -> seq.layers().add(Dense(1)));
        }
    }

    @Test
    void addRefusesNull() {
        assertThrows(IllegalArgumentException.class, () -> Sequential.of().add(null));
        assertThrows(IllegalArgumentException.class, () -> Sequential.of(Dense(1), null));
    }

    @Test
    void compileTakesNamesObjectsAndMixesOfThem() {
        Optimizer sgd = new SGD(0.1);
        Loss mse = Losses.resolve("mse");
        Metric mae = dev.kiln.metrics.Metrics.resolve("mae");
        var seq = Sequential.of(Input(2), Dense(1));
        List<Model> models = List.of(seq.compile("sgd", "mse"), seq.compile(sgd, mse), seq.compile(sgd, "mse"),
                seq.compile("sgd", mse), seq.compile("sgd", "mse", "mae"), seq.compile(sgd, "mse", "mae"),
                seq.compile("sgd", mse, "mae"), seq.compile(sgd, mse, "mae"), seq.compile("sgd", "mse", mae),
                seq.compile(sgd, "mse", mae), seq.compile("sgd", mse, mae), seq.compile(sgd, mse, mae), seq.compile("mse"),
                seq.compile(mse));
        try {
            for (Model m : models) {
                assertEquals("mean_squared_error", m.loss().name());
            }
            assertEquals("rmsprop", models.get(12).optimizer().name(), "Keras' default optimizer");
            assertEquals(List.of("mae"), models.get(11).metrics().stream().map(Metric::name).toList());
        } finally {
            models.forEach(Model::close);
        }
    }

    @Test
    void nullsAreRefusedByName() {
        var seq = Sequential.of(Input(2), Dense(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> seq.compile((String) null, "mse"));
        assertTrue(e.getMessage().contains("optimizer is null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> seq.compile(new SGD(0.1), (Loss) null));
        assertTrue(e.getMessage().contains("loss is null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> seq.compile("sgd", "mse", "mae", null));
        assertTrue(e.getMessage().contains("metric is null"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> seq.compile("sgd", "mse", (Metric) null));
        assertTrue(e.getMessage().contains("metric is null"), e.getMessage());
    }
}
