package dev.kiln.spark;

/** Checks of the names users give to columns and settings. */
final class Names {
    private Names() {
    }

    static String column(String name, String param) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException(param + " must name a column, got " + (name == null ? "null" : "'" + name + "'"));
        }
        return name;
    }
}
