package dev.kiln.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.optimizers.CommonConfig;
import dev.kiln.optimizers.GradientClipping;
import dev.kiln.optimizers.Optimizer;
import dev.kiln.optimizers.Optimizers;
import dev.kiln.optimizers.schedules.LearningRateSchedule;

/**
 * Optimizers to and from the JSON Keras writes for them: {@code class_name} (the optimizer's class) and
 * a snake_case {@code config}. The fields every optimizer has (name, learning rate or schedule, clipping)
 * are written and read here; the optimizer writes and reads its own hyper-parameters between them.
 */
final class OptimizerConfigs {
    private OptimizerConfigs() {
    }

    static ObjectNode optimizer(Optimizer optimizer) {
        ObjectNode node = SafeTensors.JSON.createObjectNode();
        node.put("module", "keras.optimizers");
        node.put("class_name", optimizer.getClass().getSimpleName());
        ObjectNode config = node.putObject("config");
        config.put("name", optimizer.name());
        if (optimizer.schedule() != null) {
            config.set("learning_rate", ScheduleConfigs.schedule(optimizer.schedule()));
        } else {
            config.put("learning_rate", optimizer.learningRate());
        }
        optimizer.writeConfig(new ConfigWriter(config));
        ScheduleConfigs.clipping(config, optimizer.clipping());
        return node;
    }

    /**
     * Refuses the options every Keras optimizer has and Kiln's do not: a moving average of the weights,
     * loss scaling, gradient accumulation. (Weight decay, which only AdamW has, each optimizer reads or
     * refuses itself.)
     */
    private static void requireKilnBehaviour(ConfigReader c) throws ModelFormatException {
        c.requireAbsentOr("use_ema", false, "Kiln keeps no moving average of the weights");
        c.requireAbsentOr("loss_scale_factor", 1, "Kiln does not scale the loss");
        c.requireAbsentOr("gradient_accumulation_steps", 1, "Kiln updates after every batch");
    }

    static Optimizer parseOptimizer(JsonFields node) throws ModelFormatException {
        String type = node.text("class_name");
        JsonFields c = node.object("config");
        if (!Optimizers.hasClass(type)) {
            throw node.fail("class_name", "is '" + type + "'; this Kiln reads " + Optimizers.classNames());
        }
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
            requireKilnBehaviour(new ConfigReader(c));
            Optimizer o = Optimizers.fromConfig(type, new CommonConfig(lr, schedule, clip), new ConfigReader(c));
            o.rule(); // the engine's own range checks (β in [0, 1), ε >= 0, ...)
            return o;
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }
}
