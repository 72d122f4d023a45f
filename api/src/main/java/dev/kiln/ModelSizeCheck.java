package dev.kiln;

import dev.kiln.layers.Layer;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Refuses, before anything is allocated, a model whose parameters cannot be addressed: the engine
 * keeps all of them in one region indexed by int, so more than 2^31 − 1 floats (8 GiB) is a mistake
 * in a width, not a model to try.
 */
final class ModelSizeCheck {
    static final long MAX_PARAMETERS = Integer.MAX_VALUE - 1_000_000L; // room for alignment padding

    private ModelSizeCheck() {
    }

    /** {@code layers}: the layer at each place of the model, {@code shapes} what each place receives. */
    static void check(List<Layer> layers, ExampleShapes shapes) {
        long total = 0;
        Set<Layer> counted = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < layers.size(); i++) {
            Layer l = layers.get(i);
            if (!counted.add(l)) {
                continue; // a shared layer's weights are made once
            }
            total += l.parameterCount(shapes.input(i));
            if (total > MAX_PARAMETERS) {
                throw new IllegalArgumentException("the model needs " + total + "+ parameters by layer " + i + " ("
                        + l.typeName() + ")"
                        + " (input width " + shapes.input(0).size() + "); expected at most " + MAX_PARAMETERS
                        + " (8 GiB of floats): check the layer widths");
            }
        }
    }
}
