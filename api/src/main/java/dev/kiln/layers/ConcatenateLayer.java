package dev.kiln.layers;

import dev.kiln.core.graph.Concatenate;
import dev.kiln.core.graph.Op;
import dev.kiln.io.ConfigWriter;

/**
 * Keras' {@code Concatenate} with its default {@code axis=-1}: joins its inputs along the examples' last
 * axis (features, or channels of images); every other axis must agree.
 */
public record ConcatenateLayer() implements MergeLayer {
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
        config.put("axis", -1);
    }
}
