package dev.kiln.callbacks;

import java.util.Locale;
import java.util.Set;

/** The {@code mode} of a monitoring callback and the direction it resolves to. */
final class Monitor {
    /** Metrics where more is better; everything named like a loss or an error is less-is-better. */
    private static final Set<String> HIGHER_IS_BETTER = Set.of("accuracy", "acc", "binary_accuracy",
            "categorical_accuracy", "sparse_categorical_accuracy", "top_k_categorical_accuracy",
            "sparse_top_k_categorical_accuracy", "auc", "precision", "recall");
    private static final Set<String> LOWER_IS_BETTER = Set.of("loss", "mae", "mse", "mean_absolute_error",
            "mean_squared_error");

    private Monitor() {
    }

    /** Checks a Keras mode string: auto, min or max. */
    static String checkedMode(String mode) {
        if (mode == null || !(mode.equals("auto") || mode.equals("min") || mode.equals("max"))) {
            throw new IllegalArgumentException("mode must be one of [auto, min, max], got " + mode);
        }
        return mode;
    }

    /**
     * Whether larger values of {@code monitor} are better, EarlyStopping's way: in auto mode from the
     * metric's name without its {@code val_} prefix.
     */
    static boolean higherIsBetter(String monitor, String mode) {
        if (mode.equals("max")) {
            return true;
        }
        if (mode.equals("min")) {
            return false;
        }
        String name = monitor.startsWith("val_") ? monitor.substring(4) : monitor;
        String lower = name.toLowerCase(Locale.ROOT);
        if (HIGHER_IS_BETTER.contains(lower)) {
            return true;
        }
        if (LOWER_IS_BETTER.contains(lower) || lower.endsWith("loss")) {
            return false;
        }
        throw new IllegalArgumentException("cannot tell whether '" + monitor + "' should be minimized or maximized;"
                + " set the mode to \"min\" or \"max\"");
    }
}
