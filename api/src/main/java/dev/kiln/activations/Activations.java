package dev.kiln.activations;

import dev.kiln.core.kernel.Activation;
import dev.kiln.internal.NameRegistry;
import java.util.List;

/**
 * The activation names Keras users know: linear, relu, sigmoid, tanh, softmax, leaky_relu
 * (negative slope 0.2), elu (alpha 1), gelu (exact, erf-based), silu and its alias swish.
 *
 * <pre>{@code
 * Activations.resolve("relu");   // the engine's RELU
 * }</pre>
 */
public final class Activations {
    private static final NameRegistry<Activation> REGISTRY = new NameRegistry<Activation>("activation")
            .add(() -> Activation.LINEAR, "linear")
            .add(() -> Activation.RELU, "relu")
            .add(() -> Activation.SIGMOID, "sigmoid")
            .add(() -> Activation.TANH, "tanh")
            .add(() -> Activation.SOFTMAX, "softmax")
            .add(() -> Activation.LEAKY_RELU, "leaky_relu")
            .add(() -> Activation.ELU, "elu")
            .add(() -> Activation.GELU, "gelu")
            .add(() -> Activation.SILU, "silu", "swish");

    private Activations() {
    }

    /** The engine activation for a Keras name; null and "linear" both mean no activation. */
    public static Activation resolve(String name) {
        return name == null ? Activation.LINEAR : REGISTRY.resolve(name);
    }

    /** The Keras name of an engine activation. */
    public static String nameOf(Activation a) {
        return a.name().toLowerCase(java.util.Locale.ROOT);
    }

    public static List<String> names() {
        return REGISTRY.names();
    }
}
