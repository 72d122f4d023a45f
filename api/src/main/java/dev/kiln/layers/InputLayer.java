package dev.kiln.layers;

/** Fixes the width of the model's input rows, so the model is built at compile time. */
public record InputLayer(int width) implements Layer {
    public InputLayer {
        if (width <= 0) {
            throw new IllegalArgumentException("Input width must be a positive number of features, got " + width);
        }
    }

    @Override
    public String typeName() {
        return "InputLayer";
    }

    @Override
    public String baseName() {
        return "input_layer";
    }

    @Override
    public int outputWidth(int inputWidth) {
        return width;
    }
}
