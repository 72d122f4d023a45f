package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code config} object of a saved Keras object (an optimizer, a loss, a metric), read back by the
 * object's class. Every accessor checks the field's type and range; a failure is a
 * {@link ModelFormatException} naming the field by its path in the file
 * ({@code config.json.compile_config.optimizer.config.beta_1 must be a finite number, found "x"}). Only
 * Kiln's file readers create one.
 *
 * <pre>{@code
 * static Adam fromConfig(CommonConfig common, ConfigReader config) throws ModelFormatException {
 *     return new Adam(common.learningRate(), config.number("beta_1"), config.number("beta_2"),
 *             config.number("epsilon"), common.schedule(), common.clipping());
 * }
 * }</pre>
 */
public final class ConfigReader {
    private final JsonFields fields;

    ConfigReader(JsonFields fields) {
        this.fields = fields;
    }

    /** True when the field is present and not null (Keras writes an option that is off as null). */
    public boolean has(String field) {
        return fields.has(field);
    }

    public String text(String field) throws ModelFormatException {
        return fields.text(field);
    }

    public boolean bool(String field) throws ModelFormatException {
        return fields.bool(field);
    }

    /** A finite number; integers are accepted too. */
    public double number(String field) throws ModelFormatException {
        return fields.number(field);
    }

    public int positiveInt(String field) throws ModelFormatException {
        return fields.positiveInt(field);
    }

    /** An integer of at least {@code min}, else a failure saying the field must be {@code expected}. */
    public int wholeNumber(String field, int min, String expected) throws ModelFormatException {
        JsonNode v = fields.raw(field);
        if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min) {
            throw fields.fail(field, "must be " + expected + ", found " + v);
        }
        return v.intValue();
    }

    /**
     * A finite number, or an array holding exactly one (Keras writes some options either way), else a
     * failure saying the field must be {@code expected}.
     */
    public double singleNumber(String field, String expected) throws ModelFormatException {
        JsonNode v = fields.raw(field);
        if (v.isArray() && v.size() == 1) {
            v = v.get(0);
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw fields.fail(field, "must be " + expected + ", found " + v);
        }
        return v.doubleValue();
    }

    /** A refusal naming {@code field}, for a value of the right type that the object cannot take. */
    public ModelFormatException fail(String field, String problem) {
        return fields.fail(field, problem);
    }

    /** A refusal naming this config, for a problem found after reading its fields. */
    public ModelFormatException fail(String problem) {
        return fields.fail(problem);
    }
}
