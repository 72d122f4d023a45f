package dev.kiln.layers;

import dev.kiln.core.graph.AveragePool2D;
import dev.kiln.core.graph.Node;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code AveragePooling2D}: the mean of each window, channel by channel. Keras' defaults: a 2×2 pool,
 * strides equal to the pool size, padding "valid"; with "same", a window that overhangs the border averages
 * only the positions inside the image.
 *
 * <pre>{@code
 * AveragePooling2D()                 // [26, 26, 32] → [13, 13, 32]
 * AveragePooling2D(3).strides(1).padding("same")
 * }</pre>
 */
public record AveragePooling2DLayer(PoolingWindow window) implements Layer {
    public AveragePooling2DLayer {
        if (window == null) {
            throw new IllegalArgumentException("AveragePooling2D needs a pooling window, got null");
        }
    }

    public AveragePooling2DLayer(int poolSize) {
        this(PoolingWindow.of(poolSize));
    }

    public AveragePooling2DLayer strides(int stride) {
        return strides(stride, stride);
    }

    public AveragePooling2DLayer strides(int height, int width) {
        return new AveragePooling2DLayer(window.withStrides(height, width));
    }

    public AveragePooling2DLayer padding(String name) {
        return new AveragePooling2DLayer(window.withPadding(name));
    }

    public static AveragePooling2DLayer fromConfig(ConfigReader config) throws ModelFormatException {
        return new AveragePooling2DLayer(PoolingWindow.fromConfig(config));
    }

    @Override
    public String typeName() {
        return "AveragePooling2D";
    }

    @Override
    public String baseName() {
        return "average_pooling2d";
    }

    @Override
    public Shape outputShape(Shape input) {
        return window.outputShape(input);
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return lowering.add(new AveragePool2D(window.engineWindow()), input);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        window.writeConfig(config);
    }
}
