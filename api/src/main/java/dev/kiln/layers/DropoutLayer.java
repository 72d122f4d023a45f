package dev.kiln.layers;

import dev.kiln.io.LayerConfigReader;
import dev.kiln.io.LayerConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * Sets a fraction {@code rate} of its inputs to 0 while training and scales the rest by 1/(1−rate);
 * outside {@code fit} it passes its input through unchanged.
 */
public record DropoutLayer(double rate) implements Layer {
    public DropoutLayer {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("Dropout rate must be in [0, 1), got " + rate);
        }
    }

    public static DropoutLayer fromConfig(LayerConfigReader config) throws ModelFormatException {
        return new DropoutLayer(config.number("rate"));
    }

    @Override
    public void writeConfig(LayerConfigWriter config) {
        config.put("rate", rate).putNull("seed"); // Kiln's masks come from the model's seed
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
    public int outputWidth(int inputWidth) {
        return inputWidth;
    }
}
