package dev.kiln.layers;

import dev.kiln.core.graph.Node;
import dev.kiln.core.graph.Op;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.DropoutSeed;
import dev.kiln.core.runtime.Parameter;
import dev.kiln.regularizers.Regularizer;
import java.util.List;

/**
 * What a layer needs to turn itself into engine ops ({@link Layer#lower}): the engine graph it adds
 * nodes to, its name, the shape of the examples it receives, its weights with their initial values, and
 * the seeds of its random masks. The model makes one for each layer when it builds.
 *
 * <p>Weights made here are named {@code <layer>/<weight>} (Keras' names, which the saved files use) and
 * start from the values their initializer draws from the model's random stream, in the order the layer
 * asks for them; {@code getWeights()} lists them in the order of the graph's nodes.
 *
 * <pre>{@code
 * public Node lower(LayerLowering lowering, Node input) {
 *     Parameter kernel = lowering.weight("kernel", "glorot_uniform", null, lowering.inputShape().size(), units);
 *     return lowering.add(new MatMul(kernel), input);
 * }
 * }</pre>
 */
public interface LayerLowering {
    /** The layer's name in the model ({@code dense}, {@code dense_1}, ...). */
    String name();

    /**
     * False when the layer is frozen: its {@link #weight}s are then non-trainable (the optimizer leaves
     * them as they are), and a layer that behaves differently in training (BatchNormalization) behaves
     * as in inference, as Keras' frozen layers do.
     */
    boolean trainable();

    /** The shape of one example arriving at the layer. */
    Shape inputShape();

    /** Adds {@code op} reading {@code input}, as a node named after the layer. */
    Node add(Op op, Node input);

    /** Adds {@code op} reading {@code inputs} (a merge op, which reads several), as a node named after the layer. */
    Node add(Op op, List<Node> inputs);

    /** Adds {@code op} reading {@code input}, as a node named {@code <layer>/<part>}, e.g. {@code dense/bias_add}. */
    Node add(String part, Op op, Node input);

    /**
     * A weight named {@code <layer>/<weight>}, trainable unless the layer is frozen, initialized by the Keras initializer named
     * {@code initializer} ({@code glorot_uniform}, {@code zeros}, ...) and penalized in the loss by
     * {@code regularizer} (null for none).
     */
    Parameter weight(String weight, String initializer, Regularizer regularizer, int... shape);

    /**
     * A non-trainable weight the layer's own op updates (BatchNormalization's moving statistics); the
     * optimizer never touches it. {@code nonNegative} makes restoring a negative value an error (a
     * variance).
     */
    Parameter state(String weight, String initializer, boolean nonNegative, int... shape);

    /** The seed of a new dropout mask stream, distinct from every other one in the model. */
    DropoutSeed newDropoutSeed();
}
