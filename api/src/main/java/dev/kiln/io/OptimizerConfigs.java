package dev.kiln.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.optimizers.Adagrad;
import dev.kiln.optimizers.Adam;
import dev.kiln.optimizers.AdamW;
import dev.kiln.optimizers.GradientClipping;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.RMSprop;
import dev.kiln.optimizers.SGD;
import dev.kiln.optimizers.schedules.LearningRateSchedule;

/** Optimizers to and from the JSON Keras writes for them ({@code class_name} and a snake_case {@code config}). */
final class OptimizerConfigs {
    private OptimizerConfigs() {
    }

    static ObjectNode optimizer(Optimizer optimizer) {
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.optimizers");
        node.put("class_name", switch (optimizer) {
            case SGD o -> "SGD";
            case Adam o -> "Adam";
            case AdamW o -> "AdamW";
            case RMSprop o -> "RMSprop";
            case Adagrad o -> "Adagrad";
        });
        ObjectNode config = node.putObject("config");
        config.put("name", optimizer.name());
        if (optimizer.schedule() != null) {
            config.set("learning_rate", ScheduleConfigs.schedule(optimizer.schedule()));
        } else {
            config.put("learning_rate", optimizer.learningRate());
        }
        switch (optimizer) {
            case SGD o -> {
                config.put("momentum", o.momentum());
                config.put("nesterov", o.nesterov());
            }
            case Adam o -> {
                config.put("beta_1", o.beta1());
                config.put("beta_2", o.beta2());
                config.put("epsilon", o.epsilon());
            }
            case AdamW o -> {
                config.put("weight_decay", o.weightDecay());
                config.put("beta_1", o.beta1());
                config.put("beta_2", o.beta2());
                config.put("epsilon", o.epsilon());
            }
            case RMSprop o -> {
                config.put("rho", o.rho());
                config.put("epsilon", o.epsilon());
            }
            case Adagrad o -> {
                config.put("initial_accumulator_value", o.initialAccumulatorValue());
                config.put("epsilon", o.epsilon());
            }
        }
        ScheduleConfigs.clipping(config, optimizer.clipping());
        return node;
    }

    static Optimizer parseOptimizer(JsonFields node) throws ModelFormatException {
        String type = node.text("class_name");
        JsonFields c = node.object("config");
        try {
            LearningRateSchedule schedule = null;
            double lr;
            if (c.has("learning_rate") && c.raw("learning_rate").isObject()) {
                schedule = ScheduleConfigs.parseSchedule(c.object("learning_rate"));
                lr = Optimizer.initialRate(schedule);
            } else {
                lr = c.number("learning_rate");
            }
            GradientClipping clip = ScheduleConfigs.parseClipping(c);
            Optimizer o = switch (type) {
                case "SGD" -> new SGD(lr, c.number("momentum"), c.bool("nesterov"), schedule, clip);
                case "Adam" -> new Adam(lr, c.number("beta_1"), c.number("beta_2"), c.number("epsilon"), schedule, clip);
                case "AdamW" -> new AdamW(lr, c.number("weight_decay"), c.number("beta_1"), c.number("beta_2"),
                        c.number("epsilon"), schedule, clip);
                case "RMSprop" -> new RMSprop(lr, c.number("rho"), c.number("epsilon"), schedule, clip);
                case "Adagrad" -> new Adagrad(lr, c.number("initial_accumulator_value"), c.number("epsilon"),
                        schedule, clip);
                default -> throw node.fail("class_name", "is '" + type
                        + "'; this Kiln reads SGD, Adam, AdamW, RMSprop and Adagrad");
            };
            o.rule(); // the engine's own range checks (β in [0, 1), ε >= 0, ...)
            return o;
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }
}
