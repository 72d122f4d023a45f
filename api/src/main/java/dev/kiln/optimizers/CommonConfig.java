package dev.kiln.optimizers;

import dev.kiln.optimizers.schedules.LearningRateSchedule;

/**
 * What every optimizer's Keras config holds besides its own hyper-parameters: the learning rate (a
 * number, or a schedule and its rate at step 0) and the gradient clipping. Kiln's file reader parses
 * these once and hands them to the optimizer's own {@code fromConfig}.
 *
 * <pre>{@code
 * static SGD fromConfig(CommonConfig common, ConfigReader config) throws ModelFormatException {
 *     return new SGD(common.learningRate(), config.number("momentum"), config.bool("nesterov"),
 *             common.schedule(), common.clipping());
 * }
 * }</pre>
 *
 * @param learningRate the constant rate, or the schedule's rate at step 0
 * @param schedule the learning-rate schedule, or null for a constant rate
 * @param clipping Keras' clipnorm, clipvalue and global_clipnorm
 */
public record CommonConfig(double learningRate, LearningRateSchedule schedule, GradientClipping clipping) {
}
