package dev.kiln.callbacks;

import dev.kiln.Model;
import java.util.Map;

/**
 * Hooks that {@code Model.fit} calls as training goes, with the same names and order as Keras'
 * {@code keras.callbacks.Callback}: train begin, then per epoch (epoch begin, per batch begin/end,
 * epoch end), then train end. Epoch and batch numbers start at 0.
 *
 * <p>{@code logs} holds the values known at that moment: after a batch the running means of the
 * epoch so far ({@code loss}, metrics; read-only, computed when read); after an epoch the epoch's
 * means plus the validation values ({@code val_loss}, ...). As in Keras, {@link ReduceLROnPlateau}
 * and {@link LearningRateScheduler} add {@code learning_rate} to the epoch's logs, and a callback may
 * add keys there that the callbacks after it, the {@code History} and the progress line then see;
 * {@code Model.learningRate()} gives the rate at any time. The begin hooks get an empty map. A
 * callback may read but should not keep the map: it can be reused for the next call.
 *
 * <p>Order: the callbacks passed to {@code fit}, in their order, then the {@code History}, then the
 * progress output. {@code model.stopTraining()} from any hook ends training after the current batch
 * (the epoch still validates and ends); an exception thrown by a hook ends {@code fit} with it.
 *
 * <pre>{@code
 * model.fit(x, y, epochs(10), callbacks(new Callback() {
 *     public void onEpochEnd(int epoch, Map<String, Double> logs) {
 *         System.out.println("epoch " + epoch + " loss " + logs.get("loss"));
 *     }
 * }));
 * }</pre>
 */
public interface Callback {

    /** Called once before training starts, so the callback can reach the model it watches. */
    default void setModel(Model model) {
    }

    /** Called once before training starts, after {@link #setModel}: the shape of the run (Keras' params). */
    default void setParams(FitParams params) {
    }

    default void onTrainBegin(Map<String, Double> logs) {
    }

    default void onTrainEnd(Map<String, Double> logs) {
    }

    default void onEpochBegin(int epoch, Map<String, Double> logs) {
    }

    default void onEpochEnd(int epoch, Map<String, Double> logs) {
    }

    default void onBatchBegin(int batch, Map<String, Double> logs) {
    }

    default void onBatchEnd(int batch, Map<String, Double> logs) {
    }

    /**
     * Kiln's engine refused batch {@code batch}'s step because its loss or a gradient was not finite;
     * the update was not applied, so the weights are still those from before the batch. Return true
     * when this callback takes charge (stops training, or throws its own error); when none does,
     * {@code fit} throws {@code cause}, a {@code NonFiniteLossException} naming the epoch and batch.
     */
    default boolean onRefusedStep(int batch, RuntimeException cause) {
        return false;
    }
}
