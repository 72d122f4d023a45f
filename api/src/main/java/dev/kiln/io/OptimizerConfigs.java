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
     * Refuses the options every Keras optimizer has and Kiln's do not (AdamW's own weight decay aside):
     * a moving average of the weights, loss scaling, gradient accumulation, decoupled weight decay.
     */
    private static void requireKilnBehaviour(String type, ConfigReader c) throws ModelFormatException {
        c.requireAbsentOr("use_ema", false, "Kiln keeps no moving average of the weights");
        c.requireAbsentOr("loss_scale_factor", 1, "Kiln does not scale the loss");
        c.requireAbsentOr("gradient_accumulation_steps", 1, "Kiln updates after every batch");
        if (!type.equals("AdamW")) {
            c.requireAbsentOr("weight_decay", 0, "of Kiln's optimizers only AdamW decays the weights");
        }
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
            requireKilnBehaviour(type, new ConfigReader(c));
            Optimizer o = Optimizers.fromConfig(type, new CommonConfig(lr, schedule, clip), new ConfigReader(c));
            if (o == null) {
                throw node.fail("class_name", "is '" + type + "'; this Kiln reads " + Optimizers.classNames());
            }
            o.rule(); // the engine's own range checks (β in [0, 1), ε >= 0, ...)
            return o;
        } catch (IllegalArgumentException e) {
            throw c.fail(e.getMessage());
        }
    }
}
