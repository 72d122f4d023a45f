package dev.kiln.layers;

import dev.kiln.core.graph.GlobalAveragePool2D;
import dev.kiln.core.graph.Node;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;

/**
 * Keras' {@code GlobalAveragePooling2D}: the mean of each channel over the whole image, [height, width,
 * channels] → [channels] ({@code keepdims} false, Keras' default and the only form Kiln has).
 */
public record GlobalAveragePooling2DLayer() implements Layer {
    public static GlobalAveragePooling2DLayer fromConfig(ConfigReader config) throws ModelFormatException {
        GlobalPooling.checkConfig(config);
        return new GlobalAveragePooling2DLayer();
    }

    @Override
    public String typeName() {
        return "GlobalAveragePooling2D";
    }

    @Override
    public String baseName() {
        return "global_average_pooling2d";
    }

    @Override
    public Shape outputShape(Shape input) {
        return GlobalPooling.outputShape(input);
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return lowering.add(new GlobalAveragePool2D(), input);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        GlobalPooling.writeConfig(config);
    }
}
