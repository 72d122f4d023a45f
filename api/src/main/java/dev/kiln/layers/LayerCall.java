package dev.kiln.layers;

import java.util.List;

/**
 * The output of {@code layer} applied to {@code inputs}: one edge list of a functional model's graph.
 * Made by {@link Layer#apply}.
 */
public record LayerCall(Layer layer, List<SymbolicTensor> inputs) implements SymbolicTensor {
    public LayerCall {
        if (layer == null) {
            throw new IllegalArgumentException("layer is null");
        }
        if (inputs == null || inputs.isEmpty()) {
            throw new IllegalArgumentException(layer.typeName() + " was applied to nothing: pass the tensors it reads");
        }
        for (int i = 0; i < inputs.size(); i++) {
            if (inputs.get(i) == null) {
                throw new IllegalArgumentException(layer.typeName() + " was applied to null (argument " + i + ")");
            }
        }
        inputs = List.copyOf(inputs);
    }

    @Override
    public String toString() {
        return "<" + layer.typeName() + " output>";
    }
}
