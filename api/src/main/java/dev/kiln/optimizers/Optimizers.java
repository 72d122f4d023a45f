package dev.kiln.optimizers;

import dev.kiln.internal.NameRegistry;
import java.util.List;

/**
 * Optimizers by Keras name, each with Keras' default hyper-parameters: sgd, adam, adamw, rmsprop, adagrad.
 *
 * <pre>{@code
 * Optimizer o = Optimizers.resolve("adam");   // new Adam()
 * }</pre>
 */
public final class Optimizers {
    private static final NameRegistry<Optimizer> REGISTRY = new NameRegistry<Optimizer>("optimizer")
            .add(SGD::new, "sgd")
            .add(Adam::new, "adam")
            .add(AdamW::new, "adamw")
            .add(RMSprop::new, "rmsprop")
            .add(Adagrad::new, "adagrad");

    private Optimizers() {
    }

    public static Optimizer resolve(String name) {
        return REGISTRY.resolve(name);
    }

    public static List<String> names() {
        return REGISTRY.names();
    }
}
