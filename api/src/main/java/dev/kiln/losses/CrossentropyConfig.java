package dev.kiln.losses;

import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * The config fields the cross-entropies share, as Keras names them: {@code from_logits}, and
 * {@code label_smoothing} for the binary and categorical ones. Label smoothing is written only when set,
 * so a file without it reads as Keras' default, 0, and files written before Kiln smoothed labels stay
 * as they were.
 */
final class CrossentropyConfig {
    private CrossentropyConfig() {
    }

    static void write(ConfigWriter config, boolean fromLogits, double labelSmoothing) {
        config.put("from_logits", fromLogits);
        if (labelSmoothing != 0) {
            config.put("label_smoothing", labelSmoothing);
        }
    }

    static boolean fromLogits(ConfigReader config) throws ModelFormatException {
        return config.has("from_logits") && config.bool("from_logits");
    }

    static double labelSmoothing(ConfigReader config) throws ModelFormatException {
        return config.has("label_smoothing") ? config.number("label_smoothing") : 0.0;
    }
}
