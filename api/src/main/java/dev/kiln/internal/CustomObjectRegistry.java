package dev.kiln.internal;

import java.util.Map;
import java.util.TreeMap;

/**
 * The user's own losses, metrics and layers, by their registered name ({@code "package>name"}, as Keras'
 * {@code register_keras_serializable} writes it): what loading a saved model looks its custom objects
 * up in. {@code Losses.custom} and {@code Metrics.custom} register what they make (Keras'
 * {@code register_keras_serializable}); {@code Kiln.registerCustomObject} registers again.
 */
public final class CustomObjectRegistry {
    /** Keras' package for an object registered without one. */
    public static final String DEFAULT_PACKAGE = "Custom";

    private static final Map<String, Object> OBJECTS = new TreeMap<>();

    private CustomObjectRegistry() {
    }

    /**
     * The registered name of {@code name}: itself when it names its package ({@code "my_pkg>focal"}), else
     * in Keras' default package ({@code "Custom>focal"}).
     */
    public static String registeredName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a custom object needs a non-empty name such as 'my_loss' or "
                    + "'my_package>my_loss', got '" + name + "'");
        }
        int split = name.indexOf('>');
        if (split < 0) {
            return DEFAULT_PACKAGE + ">" + name;
        }
        if (split == 0 || split == name.length() - 1 || name.indexOf('>', split + 1) >= 0) {
            throw new IllegalArgumentException("custom object name '" + name + "' must be 'package>name' with one '>' "
                    + "and a non-empty package and name");
        }
        return name;
    }

    /** The name after the package: the loss's or metric's own name ({@code "focal"} of {@code "Custom>focal"}). */
    public static String shortName(String registeredName) {
        return registeredName.substring(registeredName.indexOf('>') + 1);
    }

    public static synchronized void register(String registeredName, Object object) {
        OBJECTS.put(registeredName, object);
    }

    public static synchronized boolean unregister(String registeredName) {
        return OBJECTS.remove(registeredName) != null;
    }

    /** The object registered under {@code registeredName}, or null. */
    public static synchronized Object get(String registeredName) {
        return OBJECTS.get(registeredName);
    }

    /** The message for a saved custom object nobody registered: what it is and how to register it. */
    public static String notRegistered(String family, String registeredName) {
        String definition = switch (family) {
            case "loss" -> "Losses.custom(\"" + registeredName + "\", (yTrue, yPred) -> ...)";
            case "metric" -> "Metrics.custom(\"" + registeredName + "\", (yTrue, yPred) -> ...)";
            default -> "Layers.custom(\"" + registeredName + "\").weight(...).call((x, w) -> ...)";
        };
        return "'" + registeredName + "' is a custom " + family + " that is not registered in this program; "
                + "define it before loading, " + definition + ", which registers it, or register it with "
                + "Kiln.registerCustomObject";
    }
}
