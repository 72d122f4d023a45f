package dev.kiln.layers;

import dev.kiln.core.kernel.Padding;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ModelFormatException;
import java.util.Locale;

/** What the image layers share: Keras' padding names and the channels-last check on images and configs. */
final class Windows {
    private Windows() {
    }

    /** Keras' {@code "valid"} or {@code "same"} (any case) as the engine's padding. */
    static Padding padding(String name) {
        if (name != null) {
            switch (name.toLowerCase(Locale.ROOT)) {
                case "valid" -> {
                    return Padding.VALID;
                }
                case "same" -> {
                    return Padding.SAME;
                }
                default -> {
                }
            }
        }
        throw new IllegalArgumentException("padding must be \"valid\" or \"same\", got " + (name == null ? "null" : "\"" + name + "\""));
    }

    /** The name Keras writes for {@code padding}. */
    static String name(Padding padding) {
        return padding.name().toLowerCase(Locale.ROOT);
    }

    /** Refuses examples that are not images [height, width, channels]. */
    static void requireImages(Shape input) {
        if (input.rank() != 3) {
            throw new IllegalArgumentException("needs images of shape [height, width, channels] but gets examples of shape "
                    + input + (input.rank() == 1 ? ": start the model with Input(height, width, channels) or add"
                            + " Reshape(height, width, channels) before it" : ""));
        }
    }

    /** Refuses a config whose {@code data_format} is not channels-last, the only layout Kiln has. */
    static void requireChannelsLast(ConfigReader config) throws ModelFormatException {
        if (config.has("data_format") && !config.text("data_format").equals("channels_last")) {
            throw config.fail("data_format", "must be \"channels_last\", the only layout Kiln has");
        }
    }

    /** Refuses a positive value that is not, naming it. */
    static int positive(String what, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(what + " must be positive, got " + value);
        }
        return value;
    }
}
