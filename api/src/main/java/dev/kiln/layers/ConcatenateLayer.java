package dev.kiln.layers;

import dev.kiln.core.graph.Concatenate;
import dev.kiln.core.graph.Op;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigReader;
import dev.kiln.io.ConfigWriter;
import dev.kiln.io.ModelFormatException;
import java.util.List;

/**
 * Keras' {@code Concatenate}: joins its inputs along the examples' last axis (features, or channels of
 * images); every other axis must agree. Keras counts the batch axis, so the last axis is {@code -1}, its
 * default, or the examples' rank ({@code axis=1} for flat examples); Kiln joins along that axis only.
 */
public record ConcatenateLayer(int axis) implements MergeLayer {
    /** Keras' default, the last axis. */
    public ConcatenateLayer() {
        this(-1);
    }

    public static ConcatenateLayer fromConfig(ConfigReader config) throws ModelFormatException {
        return new ConcatenateLayer(config.axis("axis"));
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        int rank = inputs.get(0).rank();
        if (axis != -1 && axis != rank) {
            throw new IllegalArgumentException("joins along the last axis only (-1, or " + rank + " for examples of"
                    + " shape " + inputs.get(0) + " with the batch axis counted), got axis " + axis);
        }
        return MergeLayer.super.outputShape(inputs);
    }

    @Override
    public Op op() {
        return new Concatenate();
    }

    @Override
    public String typeName() {
        return "Concatenate";
    }

    @Override
    public String baseName() {
        return "concatenate";
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        config.put("axis", axis);
    }
}
