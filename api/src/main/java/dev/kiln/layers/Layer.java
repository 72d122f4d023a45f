package dev.kiln.layers;

import dev.kiln.core.graph.Node;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.io.ConfigWriter;
import java.util.List;
import java.util.OptionalInt;

/**
 * A layer specification: immutable, holding no memory. Each layer states its own shape rule, counts
 * its own weights, lowers itself into the engine's graph when the model is built, and writes its own
 * Keras config (its class reads that back in a static {@code fromConfig}). {@code docs/extending.md}
 * shows how to add one.
 *
 * <pre>{@code
 * Layer hidden = Layers.Dense(128, "relu");
 * hidden.outputShape(Shape.of(784));       // [128]
 * hidden.parameterCount(Shape.of(784));    // 100480
 * }</pre>
 */
public sealed interface Layer permits InputLayer, DenseLayer, ActivationLayer, DropoutLayer, FlattenLayer, LayerNormalizationLayer,
        BatchNormalizationLayer, Conv2DLayer, MaxPooling2DLayer, AveragePooling2DLayer, GlobalAveragePooling2DLayer,
        GlobalMaxPooling2DLayer, ReshapeLayer, MergeLayer, NamedLayer, CustomLayer {
    /** The Keras class name shown by {@code summary()} and written to files, e.g. {@code Dense}. */
    String typeName();

    /**
     * This layer named {@code name} in its model, as Keras' {@code name=} argument (otherwise the model
     * names it {@code dense}, {@code dense_1}, ...). Name it last: {@code Dense(64).kernelRegularizer(L2(0.01))
     * .named("encoder")}.
     *
     * @throws IllegalArgumentException when the name is blank or holds {@code /}, or the layer is an Input
     */
    default NamedLayer named(String name) {
        return new NamedLayer(name, this);
    }

    /** The stem of the layer's automatic name, e.g. {@code dense} (then {@code dense_1}, ...). */
    String baseName();

    /**
     * The shape of one example after this layer, for examples of shape {@code input} (the batch axis
     * apart).
     *
     * @throws IllegalArgumentException when the layer cannot take such examples; the message reads on
     *         from the layer's type and name, e.g. (Dense layer 'dense') "needs flat examples but gets
     *         examples of shape [28, 28]: add Flatten() before it"
     */
    Shape outputShape(Shape input);

    /**
     * The shape of one example after this layer when it reads {@code inputs}, one shape per tensor it was
     * applied to: most layers read one (and this calls {@link #outputShape(Shape)}); a merge reads several.
     */
    default Shape outputShape(List<Shape> inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException("reads one input but was applied to " + inputs.size());
        }
        return outputShape(inputs.get(0));
    }

    /**
     * This layer applied to {@code inputs} in a functional model: a placeholder for its output, to apply
     * further layers to and finally hand to {@code Model.of(inputs, output)}. Applying the same layer
     * object again shares it, as in Keras: every application reads and trains its one set of weights.
     *
     * <pre>{@code
     * var in = Input(784);
     * var out = Dense(10, "softmax").apply(Dense(64, "relu").apply(in));
     *
     * var encoder = Dense(32, "relu");            // a siamese encoder: one kernel, one bias
     * var both = Concatenate().apply(encoder.apply(left), encoder.apply(right));
     * }</pre>
     */
    default SymbolicTensor apply(SymbolicTensor... inputs) {
        if (inputs == null) {
            throw new IllegalArgumentException(typeName() + " was applied to null");
        }
        return new LayerCall(this, java.util.Arrays.asList(inputs));
    }

    /**
     * The width of the layer's (flattened) output when it can be told before the examples' shape is known,
     * from the width {@code input} before it (empty when unknown): a Dense says its units, a layer that keeps
     * its input's shape passes the width on, and a layer that reshapes (the default) does not know. It lets
     * {@code compile} refuse a loss that cannot train on the output before any data arrives.
     */
    default OptionalInt outputWidth(OptionalInt input) {
        return OptionalInt.empty();
    }

    /**
     * The activation whose values this layer outputs, given the one its input came from: a layer that
     * applies an activation names its own, one that only moves or selects values (the default: Dropout,
     * Flatten, pooling) passes its input's on. The loss checks it (binary_crossentropy after a softmax).
     */
    default Activation outputActivation(Activation input) {
        return input;
    }

    /** Values the layer holds for examples of shape {@code input}, trainable or not (summary's Param #). */
    default long parameterCount(Shape input) {
        return 0;
    }

    /** Of {@link #parameterCount}, those the optimizer does not train (moving statistics). */
    default long nonTrainableParameterCount(Shape input) {
        return 0;
    }

    /**
     * Adds the layer's ops to the engine graph after {@code input} and returns the node that gives the
     * layer's output. Called once per build, with examples of an accepted shape
     * ({@link LayerLowering#inputShape()}); the weights it makes must come in Keras' order.
     */
    Node lower(LayerLowering lowering, Node input);

    /**
     * As {@link #lower(LayerLowering, Node)} for a layer that reads {@code inputs}, one node per tensor it
     * was applied to; a merge overrides it.
     */
    default Node lower(LayerLowering lowering, List<Node> inputs) {
        if (inputs.size() != 1) {
            throw new IllegalArgumentException(typeName() + " reads one input but was applied to " + inputs.size());
        }
        return lower(lowering, inputs.get(0));
    }

    /**
     * Writes the layer's own Keras config fields (the name, dtype and class name are written for it);
     * the layer class reads them back in a static {@code fromConfig(ConfigReader)}.
     */
    void writeConfig(ConfigWriter config);
}
