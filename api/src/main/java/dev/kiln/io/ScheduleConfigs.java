package dev.kiln.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.optimizers.GradientClipping;
import dev.kiln.optimizers.schedules.CosineDecay;
import dev.kiln.optimizers.schedules.ExponentialDecay;
import dev.kiln.optimizers.schedules.InverseTimeDecay;
import dev.kiln.optimizers.schedules.LearningRateSchedule;
import dev.kiln.optimizers.schedules.PiecewiseConstantDecay;

/**
 * Learning-rate schedules and gradient clipping to and from an optimizer's config, as Keras writes
 * them: a schedule stands in place of {@code learning_rate} as
 * {@code {"module": "keras.optimizers.schedules", "class_name": "ExponentialDecay", "config": {...}}}
 * with Keras' field names, and clipping is the optimizer's {@code clipnorm}, {@code clipvalue} and
 * {@code global_clipnorm} fields, null when off.
 */
final class ScheduleConfigs {
    static final String SCHEDULE_MODULE = "keras.optimizers.schedules";
    private static final String SAVABLE = "ExponentialDecay, InverseTimeDecay, PiecewiseConstantDecay and CosineDecay";

    private ScheduleConfigs() {
    }

    /**
     * Refuses, before anything is written, an optimizer whose schedule has no saved form (a lambda or
     * a class of the user's own), since a file that cannot restore the schedule could not resume.
     */
    static void requireSavable(LearningRateSchedule schedule) {
        if (schedule != null && !(schedule instanceof ExponentialDecay || schedule instanceof InverseTimeDecay
                || schedule instanceof PiecewiseConstantDecay || schedule instanceof CosineDecay)) {
            throw new IllegalArgumentException("cannot save the model: its optimizer follows a custom learning-rate"
                    + " schedule (" + schedule.getClass().getName() + "), which has no saved form; Kiln saves "
                    + SAVABLE + ". Use one of those, or keep the weights alone with saveWeights");
        }
    }

    static ObjectNode schedule(LearningRateSchedule schedule) {
        requireSavable(schedule);
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", SCHEDULE_MODULE);
        String className = switch (schedule) {
            case ExponentialDecay s -> "ExponentialDecay";
            case InverseTimeDecay s -> "InverseTimeDecay";
            case PiecewiseConstantDecay s -> "PiecewiseConstantDecay";
            case CosineDecay s -> "CosineDecay";
            default -> throw new IllegalStateException("unreachable: " + schedule);
        };
        node.put("class_name", className);
        ObjectNode c = node.putObject("config");
        switch (schedule) {
            case ExponentialDecay s -> {
                c.put("initial_learning_rate", s.initialLearningRate());
                c.put("decay_steps", s.decaySteps());
                c.put("decay_rate", s.decayRate());
                c.put("staircase", s.staircase());
            }
            case InverseTimeDecay s -> {
                c.put("initial_learning_rate", s.initialLearningRate());
                c.put("decay_steps", s.decaySteps());
                c.put("decay_rate", s.decayRate());
                c.put("staircase", s.staircase());
            }
            case PiecewiseConstantDecay s -> {
                ArrayNode boundaries = c.putArray("boundaries");
                for (long b : s.boundaries()) {
                    boundaries.add(b);
                }
                ArrayNode values = c.putArray("values");
                for (double v : s.values()) {
                    values.add(v);
                }
            }
            case CosineDecay s -> {
                c.put("initial_learning_rate", s.initialLearningRate());
                c.put("decay_steps", s.decaySteps());
                c.put("alpha", s.alpha());
                if (s.hasWarmup()) {
                    c.put("warmup_target", s.warmupTarget());
                } else {
                    c.putNull("warmup_target");
                }
                c.put("warmup_steps", s.warmupSteps());
            }
            default -> throw new IllegalStateException("unreachable: " + schedule);
        }
        c.put("name", className);
        return node;
    }

    static LearningRateSchedule parseSchedule(JsonFields node) throws ModelFormatException {
        String type = node.text("class_name");
        JsonFields c = node.object("config");
        try {
            return switch (type) {
                case "ExponentialDecay" -> new ExponentialDecay(c.number("initial_learning_rate"),
                        c.longValue("decay_steps", 1), c.number("decay_rate"), staircase(c));
                case "InverseTimeDecay" -> new InverseTimeDecay(c.number("initial_learning_rate"),
                        c.longValue("decay_steps", 1), c.number("decay_rate"), staircase(c));
                case "PiecewiseConstantDecay" -> new PiecewiseConstantDecay(longs(c, "boundaries"), doubles(c, "values"));
                case "CosineDecay" -> new CosineDecay(c.number("initial_learning_rate"), c.longValue("decay_steps", 1),
                        c.has("alpha") ? c.number("alpha") : 0.0,
                        c.has("warmup_target") ? c.number("warmup_target") : Double.NaN,
                        c.has("warmup_steps") ? c.longValue("warmup_steps", 0) : 0);
                default -> throw node.fail("class_name", "is '" + type + "'; this Kiln reads the schedules " + SAVABLE);
            };
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }

    /** Keras writes clipping unset as null; files written before clipping was saved lack the fields. */
    static void clipping(ObjectNode config, GradientClipping clipping) {
        putOrNull(config, "clipnorm", clipping.clipnorm());
        putOrNull(config, "global_clipnorm", clipping.globalClipnorm());
        putOrNull(config, "clipvalue", clipping.clipvalue());
    }

    static GradientClipping parseClipping(JsonFields config) throws ModelFormatException {
        try {
            return new GradientClipping(optional(config, "clipnorm"), optional(config, "clipvalue"),
                    optional(config, "global_clipnorm"));
        } catch (IllegalArgumentException e) {
            throw config.fail(e.getMessage());
        }
    }

    private static void putOrNull(ObjectNode config, String name, double value) {
        if (value > 0) {
            config.put(name, value);
        } else {
            config.putNull(name);
        }
    }

    private static double optional(JsonFields config, String name) throws ModelFormatException {
        return config.has(name) ? config.number(name) : 0.0;
    }

    private static boolean staircase(JsonFields c) throws ModelFormatException {
        return c.has("staircase") && c.bool("staircase");
    }

    private static long[] longs(JsonFields c, String name) throws ModelFormatException {
        JsonNode array = c.raw(name);
        if (!array.isArray() || array.size() > 1_000_000) {
            throw c.fail(name, "must be an array of integers, found " + array.getNodeType());
        }
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw c.fail(name, "must hold integers, found " + v);
            }
            out[i] = v.longValue();
        }
        return out;
    }

    private static double[] doubles(JsonFields c, String name) throws ModelFormatException {
        JsonNode array = c.raw(name);
        if (!array.isArray() || array.size() > 1_000_000) {
            throw c.fail(name, "must be an array of numbers, found " + array.getNodeType());
        }
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw c.fail(name, "must hold finite numbers, found " + v);
            }
            out[i] = v.doubleValue();
        }
        return out;
    }
}
