package dev.kiln.layers;

import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigWriter;
import java.util.List;
import java.util.OptionalInt;

/**
 * A layer with the name its user gave it ({@link Layer#named}), as Keras' {@code name=} argument: the
 * model shows it in {@code summary()}, finds the layer by it ({@code model.getLayer("encoder")}), names
 * the layer's weights after it ({@code encoder/kernel}) and saves it in the layer's config. Everything
 * else is the wrapped layer's: the name changes nothing the layer computes.
 *
 * <pre>{@code
 * var model = Sequential.of(Input(784), Dense(64, "relu").named("encoder"), Dense(10, "softmax"))
 *         .compile("adam", "sparse_categorical_crossentropy", "accuracy");
 * model.getLayer("encoder").weights();   // [encoder/kernel [784, 64], encoder/bias [64]]
 * }</pre>
 *
 * @param name  the name: not blank, without {@code /} (which separates a layer's name from its weights')
 * @param layer the layer it names; not an Input and not itself named
 */
public record NamedLayer(String name, Layer layer) implements Layer {
    public NamedLayer {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a layer's name must be a non-blank string, got "
                    + (name == null ? "null" : "'" + name + "'"));
        }
        if (name.contains("/")) {
            throw new IllegalArgumentException("a layer's name cannot contain '/' (it separates the layer's name from"
                    + " its weights' names), got '" + name + "'");
        }
        if (layer == null) {
            throw new IllegalArgumentException("the layer to name '" + name + "' is null");
        }
        if (layer instanceof NamedLayer named) {
            throw new IllegalArgumentException("the layer is already named '" + named.name() + "'; name the unnamed"
                    + " layer once: " + named.layer().typeName() + "(...).named(\"" + name + "\")");
        }
        if (layer instanceof InputLayer) {
            throw new IllegalArgumentException("Kiln's Input is not kept as a layer of the model (Keras' model.layers"
                    + " leaves it out too), so it has no name to give it; name the layers after it");
        }
    }

    /** The same layer under another name (a layer has one name, so this renames rather than wraps again). */
    @Override
    public NamedLayer named(String other) {
        return new NamedLayer(other, layer);
    }

    @Override
    public String typeName() {
        return layer.typeName();
    }

    @Override
    public String baseName() {
        return layer.baseName();
    }

    @Override
    public Shape outputShape(Shape input) {
        return layer.outputShape(input);
    }

    @Override
    public Shape outputShape(List<Shape> inputs) {
        return layer.outputShape(inputs);
    }

    @Override
    public OptionalInt outputWidth(OptionalInt input) {
        return layer.outputWidth(input);
    }

    @Override
    public Activation outputActivation(Activation input) {
        return layer.outputActivation(input);
    }

    @Override
    public long parameterCount(Shape input) {
        return layer.parameterCount(input);
    }

    @Override
    public long nonTrainableParameterCount(Shape input) {
        return layer.nonTrainableParameterCount(input);
    }

    @Override
    public Node lower(LayerLowering lowering, Node input) {
        return layer.lower(lowering, input);
    }

    @Override
    public Node lower(LayerLowering lowering, List<Node> inputs) {
        return layer.lower(lowering, inputs);
    }

    @Override
    public void writeConfig(ConfigWriter config) {
        layer.writeConfig(config);
    }
}
