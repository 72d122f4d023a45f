package dev.kiln.layers;

import dev.kiln.core.graph.Multiply;
import dev.kiln.core.graph.Op;
import dev.kiln.io.ConfigReader;

/** Keras' {@code Multiply}: the elementwise product of inputs of one shape, e.g. a sigmoid gate times a value. */
public record MultiplyLayer() implements MergeLayer {
    /** Keras writes no field of its own for it. */
    public static MultiplyLayer fromConfig(ConfigReader config) {
        return new MultiplyLayer();
    }

    @Override
    public Op op() {
        return new Multiply();
    }

    @Override
    public String typeName() {
        return "Multiply";
    }

    @Override
    public String baseName() {
        return "multiply";
    }
}
