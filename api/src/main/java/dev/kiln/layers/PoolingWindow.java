package dev.kiln.layers;

import dev.kiln.core.graph.PoolWindow;
import dev.kiln.core.kernel.Window2d;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * The window of MaxPooling2D and AveragePooling2D as Keras configures it: pool size, strides (Keras' default
 * is the pool size, windows side by side) and padding.
 */
public record PoolingWindow(int poolHeight, int poolWidth, int strideHeight, int strideWidth, String padding) {
    public PoolingWindow {
        Windows.positive("pool height", poolHeight);
        Windows.positive("pool width", poolWidth);
        Windows.positive("pool stride height", strideHeight);
        Windows.positive("pool stride width", strideWidth);
        padding = Windows.name(Windows.padding(padding));
    }

    /** Keras' default window: pool × pool, strides equal to the pool, "valid". */
    static PoolingWindow of(int pool) {
        return new PoolingWindow(pool, pool, pool, pool, "valid");
    }

    PoolingWindow withStrides(int height, int width) {
        return new PoolingWindow(poolHeight, poolWidth, height, width, padding);
    }

    PoolingWindow withPadding(String name) {
        return new PoolingWindow(poolHeight, poolWidth, strideHeight, strideWidth, name);
    }

    Shape outputShape(Shape input) {
        Windows.requireImages(input);
        try {
            Window2d w = Window2d.of(input.dim(0), input.dim(1), poolHeight, poolWidth, strideHeight, strideWidth,
                    Windows.padding(padding));
            return Shape.of(w.outHeight(), w.outWidth(), input.dim(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot slide a " + poolHeight + "×" + poolWidth + " pool over images of"
                    + " shape " + input + ": " + e.getMessage(), e);
        }
    }

    PoolWindow engineWindow() {
        return new PoolWindow(poolHeight, poolWidth, strideHeight, strideWidth, Windows.padding(padding));
    }

    static PoolingWindow fromConfig(ConfigReader config) throws ModelFormatException {
        Windows.requireChannelsLast(config);
        int[] pool = config.positiveInts("pool_size", 2);
        // Keras writes strides null when they default to the pool size.
        int[] strides = config.has("strides") ? config.positiveInts("strides", 2) : pool;
        return new PoolingWindow(pool[0], pool[1], strides[0], strides[1], config.text("padding"));
    }

    void writeConfig(ConfigWriter config) {
        config.put("pool_size", poolHeight, poolWidth)
                .put("padding", padding)
                .put("strides", strideHeight, strideWidth)
                .put("data_format", "channels_last");
    }
}
