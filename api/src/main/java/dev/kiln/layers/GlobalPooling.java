package dev.kiln.layers;

import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/** The shape rule and config fields the two global pooling layers share. */
final class GlobalPooling {
    private GlobalPooling() {
    }

    static Shape outputShape(Shape input) {
        Windows.requireImages(input);
        return Shape.of(input.dim(2));
    }

    static void checkConfig(ConfigReader config) throws ModelFormatException {
        Windows.requireChannelsLast(config);
        if (config.has("keepdims") && config.bool("keepdims")) {
            throw config.fail("keepdims", "must be false: Kiln's global pooling gives [channels]");
        }
    }

    static void writeConfig(ConfigWriter config) {
        config.put("data_format", "channels_last").put("keepdims", false);
    }
}
