package dev.kiln;

import dev.kiln.core.graph.BatchNorm;
import dev.kiln.core.graph.Graph;
import dev.kiln.core.graph.LayerNorm;
import dev.kiln.core.graph.Node;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.layers.BatchNormalizationLayer;
import dev.kiln.layers.LayerNormalizationLayer;
import java.util.Arrays;
import java.util.List;

/** Lowers the normalization layers to engine ops, adding their initial weights in Keras' order. */
final class NormalizationLowering {
    private NormalizationLowering() {
    }

    static Node layerNorm(Graph g, Node previous, String name, LayerNormalizationLayer l, int width, List<float[]> initial) {
        Parameter gamma = l.scale() ? trainable(name + "/gamma", width, 1f, initial) : null;
        Parameter beta = l.center() ? trainable(name + "/beta", width, 0f, initial) : null;
        return g.add(name, new LayerNorm(gamma, beta, (float) l.epsilon()), previous);
    }

    static Node batchNorm(Graph g, Node previous, String name, BatchNormalizationLayer l, int width, List<float[]> initial) {
        Parameter gamma = l.scale() ? trainable(name + "/gamma", width, 1f, initial) : null;
        Parameter beta = l.center() ? trainable(name + "/beta", width, 0f, initial) : null;
        Parameter movingMean = new Parameter(name + "/moving_mean", null, false, width);
        initial.add(filled(width, 0f));
        Parameter movingVariance = Parameter.nonNegativeState(name + "/moving_variance", width);
        initial.add(filled(width, 1f));
        return g.add(name, new BatchNorm(gamma, beta, movingMean, movingVariance, (float) l.momentum(),
                (float) l.epsilon()), previous);
    }

    private static Parameter trainable(String name, int width, float value, List<float[]> initial) {
        initial.add(filled(width, value));
        return new Parameter(name, width);
    }

    private static float[] filled(int width, float value) {
        float[] v = new float[width];
        Arrays.fill(v, value);
        return v;
    }
}
