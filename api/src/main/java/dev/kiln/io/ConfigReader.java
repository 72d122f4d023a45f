package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.core.memory.Shape;
import dev.kiln.initializers.Initializers;
import dev.kiln.regularizers.Regularizer;
import java.util.Arrays;

/**
 * The {@code config} object of a saved Keras object (a layer, an optimizer, a loss, a metric), read back
 * by the object's class in its static {@code fromConfig}. Every accessor checks the field's type and
 * range; a failure is a {@link ModelFormatException} naming the field by its path in the file
 * ({@code config.json.config.layers[2].config.units must be a positive integer, found -3}); an
 * {@link IllegalArgumentException} from a layer's own constructor is turned into one naming the layer's
 * config. Only Kiln's file readers create one.
 *
 * <pre>{@code
 * public static DropoutLayer fromConfig(ConfigReader config) throws ModelFormatException {
 *     return new DropoutLayer(config.number("rate"));
 * }
 * }</pre>
 */
public final class ConfigReader {
    /** Keras caps nothing, but an input of more dimensions than this is not a file Kiln wrote. */
    private static final int MAX_INPUT_RANK = 32;

    /** The longest int list a config may hold: far above any real shape, low enough that a hostile file costs nothing. */
    private static final int MAX_LIST = 16;

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

    public int positiveInt(String field) throws ModelFormatException {
        return fields.positiveInt(field);
    }

    /**
     * A tuple of {@code count} positive ints, written as a list ({@code [3, 3]}); a single int stands for
     * all of them, as Keras accepts {@code kernel_size=3}.
     */
    public int[] positiveInts(String field, int count) throws ModelFormatException {
        JsonNode v = fields.raw(field);
        int[] values = new int[count];
        if (v.isIntegralNumber()) {
            Arrays.fill(values, fields.positiveInt(field));
            return values;
        }
        if (!v.isArray() || v.size() != count) {
            throw fields.fail(field, "must be a list of " + count + " positive integers, found " + v);
        }
        for (int i = 0; i < count; i++) {
            JsonNode e = v.get(i);
            if (!e.isIntegralNumber() || !e.canConvertToInt() || e.intValue() <= 0) {
                throw fields.fail(field, "must be a list of " + count + " positive integers, found " + v);
            }
            values[i] = e.intValue();
        }
        return values;
    }

    /** A non-empty list of ints of any length, such as Reshape's {@code target_shape}; the layer checks the values. */
    public int[] intList(String field) throws ModelFormatException {
        JsonNode v = fields.raw(field);
        if (!v.isArray() || v.isEmpty() || v.size() > MAX_LIST) {
            throw fields.fail(field, "must be a list of 1 to " + MAX_LIST + " integers, found " + v);
        }
        int[] values = new int[v.size()];
        for (int i = 0; i < values.length; i++) {
            if (!v.get(i).isIntegralNumber() || !v.get(i).canConvertToInt()) {
                throw fields.fail(field, "must be a list of integers, found " + v);
            }
            values[i] = v.get(i).intValue();
        }
        return values;
    }

    /** A finite number; integers are accepted too. */
    public double number(String field) throws ModelFormatException {
        return fields.number(field);
    }

    /** An axis: Keras writes an int, or a one-element list for a layer given {@code axis=[-1]}. */
    public int axis(String field) throws ModelFormatException {
        JsonNode axis = fields.raw(field);
        if (axis.isArray() && axis.size() == 1) {
            axis = axis.get(0);
        }
        if (!axis.isIntegralNumber() || !axis.canConvertToInt()) {
            throw fields.fail(field, "must be an integer axis, found " + axis);
        }
        return axis.intValue();
    }

    /**
     * The Kiln name of an initializer ({@code glorot_uniform}), given as that name or as Keras'
     * serialized {@code {"class_name": "GlorotUniform", ...}}; one Kiln does not have is refused.
     */
    public String initializer(String field) throws ModelFormatException {
        JsonNode v = fields.raw(field);
        String name;
        if (v.isTextual()) {
            name = v.textValue();
        } else {
            name = KerasNames.camelToSnake(new JsonFields(v, fields.path() + "." + field, fields.source())
                    .text("class_name"));
        }
        Initializers.resolve(name); // an unknown one fails here, with the valid names
        return name;
    }

    /** The regularizer, or null when the field is absent or null. */
    public Regularizer regularizer(String field) throws ModelFormatException {
        return RegularizerConfigs.parseRegularizer(fields, field);
    }

    /** An example shape written with its batch axis, {@code [null, 28, 28]}. */
    public Shape batchShape(String field) throws ModelFormatException {
        return batchShape(fields, field);
    }

    /** A refusal naming the field, for a value the layer cannot take. */
    public ModelFormatException fail(String field, String problem) {
        return fields.fail(field, problem);
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

    /**
     * Refuses a Keras option this Kiln object does not have unless it is absent, null or set to
     * {@code kilnValue} (the only behaviour Kiln has): {@code amsgrad} must be false for Kiln's Adam.
     */
    public void requireAbsentOr(String field, Object kilnValue, String why) throws ModelFormatException {
        if (!fields.has(field)) {
            return;
        }
        JsonNode v = fields.raw(field);
        boolean same = kilnValue instanceof Boolean b ? v.isBoolean() && v.booleanValue() == b
                : kilnValue instanceof Number n ? v.isNumber() && v.doubleValue() == n.doubleValue()
                : v.isTextual() && v.textValue().equals(kilnValue);
        if (!same) {
            throw fields.fail(field, "is " + Abbreviated.name(v.toString()) + "; " + why);
        }
    }

    /** A refusal naming this config, for a problem found after reading its fields. */
    public ModelFormatException fail(String problem) {
        return fields.fail(problem);
    }

    /**
     * A shape with its batch axis, [null, d1, d2, ...]: each dimension positive and their product an
     * int, checked before anything is allocated for it.
     */
    static Shape batchShape(JsonFields config, String field) throws ModelFormatException {
        JsonNode shape = config.raw(field);
        if (!shape.isArray() || shape.size() < 2 || shape.size() > MAX_INPUT_RANK + 1 || !shape.get(0).isNull()) {
            throw config.fail(field, "must be [null, d1, ...] with 1 to " + MAX_INPUT_RANK
                    + " positive dimensions, found " + shape);
        }
        int[] dims = new int[shape.size() - 1];
        long product = 1;
        for (int i = 1; i < shape.size(); i++) {
            JsonNode d = shape.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() <= 0) {
                throw config.fail(field, "must be [null, d1, ...] with positive dimensions, found " + shape);
            }
            dims[i - 1] = d.intValue();
            product *= d.intValue();
            if (product > Integer.MAX_VALUE) {
                throw config.fail(field, "holds more than 2^31 - 1 values per example: " + shape);
            }
        }
        return Shape.of(dims);
    }
}
