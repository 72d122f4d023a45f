package dev.kiln.layers;

import dev.kiln.core.graph.Dropout;
import dev.kiln.core.graph.Node;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import java.util.OptionalInt;

/**
 * Sets a fraction {@code rate} of its inputs to 0 while training and scales the rest by 1/(1−rate);
 * outside {@code fit} it passes its input through unchanged. Examples of any shape.
 *
 * <pre>{@code
 * Sequential.of(Input(784), Dense(128, "relu"), Dropout(0.2), Dense(10, "softmax"))
 * }</pre>
 */
public record DropoutLayer(double rate) implements Layer {
    public DropoutLayer {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
        }
    }

    public static DropoutLayer fromConfig(ConfigReader config) throws ModelFormatException {
        if (config.has("noise_shape")) {
            throw config.fail("noise_shape", "is set; Kiln's Dropout drops each value on its own");
        }
        return new DropoutLayer(config.number("rate"));
    }

    @Override
    public String typeName() {
        return "Dropout";
    }

    @Override
    public String baseName() {
        return "dropout";
    }

    @Override
    public OptionalInt outputWidth(OptionalInt input) {
        return input;
    }

    @Override
    public Shape outputShape(Shape input) {
        return input;
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return lowering.add(new Dropout((float) rate, lowering.newDropoutSeed()), input);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("rate", rate).putNull("seed"); // Kiln's masks come from the model's seed
    }
}
