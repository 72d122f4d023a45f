package dev.kiln.layers;

import dev.kiln.core.graph.Node;
import dev.kiln.core.graph.Reshape;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import java.util.OptionalInt;

/**
 * Keras' {@code Flatten}: turns each example of shape [d1, d2, ...] into a vector of d1·d2·… values,
 * in row-major order. Kiln keeps every batch as contiguous rows, so this costs nothing at run time: it
 * lowers to the engine's {@link Reshape}, a view that moves no data, and changes the shape the
 * following layers see.
 *
 * <pre>{@code
 * var model = Sequential.of(Input(28, 28), Flatten(), Dense(128, "relu"), Dense(10, "softmax"));
 * }</pre>
 */
public record FlattenLayer() implements Layer {
    public static FlattenLayer fromConfig(ConfigReader config) throws ModelFormatException {
        if (config.has("data_format") && !config.text("data_format").equals("channels_last")) {
            throw config.fail("data_format", "must be \"channels_last\", the only layout Kiln has");
        }
        return new FlattenLayer();
    }

    @Override
    public String typeName() {
        return "Flatten";
    }

    @Override
    public String baseName() {
        return "flatten";
    }

    @Override
    public Shape outputShape(Shape input) {
        return Shape.of(input.size());
    }

    /** The same values in one row: as many as before. */
    @Override
    public OptionalInt outputWidth(OptionalInt input) {
        return input;
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return lowering.add(new Reshape(outputShape(lowering.inputShape())), input);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("data_format", "channels_last");
    }
}
