package dev.kiln.layers;

import dev.kiln.core.graph.MaxPool2D;
import dev.kiln.core.graph.Node;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code MaxPooling2D}: the largest value of each window, channel by channel. Keras' defaults: a 2×2
 * pool, strides equal to the pool size, padding "valid". The backward pass sends each gradient to the
 * position that won its window, remembered from the forward pass.
 *
 * <pre>{@code
 * MaxPooling2D()                     // [26, 26, 32] → [13, 13, 32]
 * MaxPooling2D(3).strides(2).padding("same")
 * }</pre>
 */
public record MaxPooling2DLayer(PoolingWindow window) implements Layer {
    public MaxPooling2DLayer {
        if (window == null) {
            throw new IllegalArgumentException("MaxPooling2D needs a pooling window, got null");
        }
    }

    public MaxPooling2DLayer(int poolSize) {
        this(PoolingWindow.of(poolSize));
    }

    public MaxPooling2DLayer strides(int stride) {
        return strides(stride, stride);
    }

    public MaxPooling2DLayer strides(int height, int width) {
        return new MaxPooling2DLayer(window.withStrides(height, width));
    }

    public MaxPooling2DLayer padding(String name) {
        return new MaxPooling2DLayer(window.withPadding(name));
    }

    public static MaxPooling2DLayer fromConfig(ConfigReader config) throws ModelFormatException {
        return new MaxPooling2DLayer(PoolingWindow.fromConfig(config));
    }

    @Override
    public String typeName() {
        return "MaxPooling2D";
    }

    @Override
    public String baseName() {
        return "max_pooling2d";
    }

    @Override
    public Shape outputShape(Shape input) {
        return window.outputShape(input);
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return lowering.add(new MaxPool2D(window.engineWindow()), input);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        window.writeConfig(config);
    }
}
