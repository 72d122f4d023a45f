package dev.kiln.layers;

import dev.kiln.core.graph.Add;
import dev.kiln.core.graph.Op;
import dev.kiln.io.ConfigReader;

/** Keras' {@code Add}: the elementwise sum of inputs of one shape, e.g. a residual connection's join. */
public record AddLayer() implements MergeLayer {
    /** Keras writes no field of its own for it. */
    public static AddLayer fromConfig(ConfigReader config) {
        return new AddLayer();
    }

    @Override
    public Op op() {
        return new Add();
    }

    @Override
    public String typeName() {
        return "Add";
    }

    @Override
    public String baseName() {
        return "add";
    }
}
