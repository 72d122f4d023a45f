package dev.kiln.regularizers;

import dev.kiln.internal.NameRegistry;
import java.util.List;

/**
 * Regularizers by Keras name ({@code "l1"}, {@code "l2"}, {@code "l1_l2"}, each with factor 0.01) and
 * factories named as Keras' classes, for a static import.
 *
 * <pre>{@code
 * import static dev.kiln.regularizers.Regularizers.*;
 * Dense(64, "relu").kernelRegularizer(L2(0.01));
 * }</pre>
 */
@SuppressWarnings("checkstyle:MethodName")
public final class Regularizers {
    private static final NameRegistry<Regularizer> REGISTRY = new NameRegistry<Regularizer>("regularizer")
            .add(L1::new, "l1")
            .add(L2::new, "l2")
            .add(() -> new L1L2(0.01, 0.01), "l1_l2");

    private Regularizers() {
    }

    public static Regularizer resolve(String name) {
        return REGISTRY.resolve(name);
    }

    public static List<String> names() {
        return REGISTRY.names();
    }

    public static Regularizer L1(double l1) {
        return new L1(l1);
    }

    public static Regularizer L2(double l2) {
        return new L2(l2);
    }

    public static Regularizer L1L2(double l1, double l2) {
        return new L1L2(l1, l2);
    }
}
