package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed access to the fields of a JSON object read from a file, each failure a
 * {@link ModelFormatException} that names the field by its path (e.g. {@code config.layers[1].units}).
 */
final class JsonFields {
    private final JsonNode node;
    private final String path;
    private final String source;

    JsonFields(JsonNode node, String path, String source) throws ModelFormatException {
        if (node == null || !node.isObject()) {
            throw new ModelFormatException(source, path + " must be a JSON object, found "
                    + (node == null ? "nothing" : node.getNodeType()));
        }
        this.node = node;
        this.path = path;
        this.source = source;
    }

    String path() {
        return path;
    }

    /** The object itself, for checks that walk all of it. */
    JsonNode node() {
        return node;
    }

    String source() {
        return source;
    }

    /** A refusal naming this object's path; for problems found after reading a field. */
    ModelFormatException fail(String problem) {
        return new ModelFormatException(source, path + ": " + problem);
    }

    boolean has(String name) {
        return node.hasNonNull(name);
    }

    /** The object's field names, in the file's order. */
    Iterable<String> fieldNames() {
        return node::fieldNames;
    }

    JsonNode raw(String name) throws ModelFormatException {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw fail(name, "is missing");
        }
        return v;
    }

    JsonFields object(String name) throws ModelFormatException {
        return new JsonFields(raw(name), path + "." + name, source);
    }

    String text(String name) throws ModelFormatException {
        JsonNode v = raw(name);
        if (!v.isTextual()) {
            throw fail(name, "must be a string, found " + v.getNodeType());
        }
        return v.textValue();
    }

    boolean bool(String name) throws ModelFormatException {
        JsonNode v = raw(name);
        if (!v.isBoolean()) {
            throw fail(name, "must be true or false, found " + v);
        }
        return v.booleanValue();
    }

    int positiveInt(String name) throws ModelFormatException {
        JsonNode v = raw(name);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() <= 0) {
            throw fail(name, "must be a positive integer, found " + v);
        }
        return v.intValue();
    }

    long longValue(String name, long min) throws ModelFormatException {
        JsonNode v = raw(name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min) {
            throw fail(name, "must be an integer >= " + min + ", found " + v);
        }
        return v.longValue();
    }

    /** A finite number; integers are accepted too (JSON writes 1.0 as 1 in some tools). */
    double number(String name) throws ModelFormatException {
        JsonNode v = raw(name);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw fail(name, "must be a finite number, found " + v);
        }
        return v.doubleValue();
    }

    ModelFormatException fail(String name, String problem) {
        return new ModelFormatException(source, path + "." + name + " " + problem);
    }
}
