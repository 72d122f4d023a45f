package dev.kiln.callbacks;

import dev.kiln.Model;
import java.util.Map;

/**
 * Hooks that {@code Model.fit} calls as training goes, with the same names and order as Keras'
 * {@code keras.callbacks.Callback}: train begin, then per epoch (epoch begin, per batch begin/end,
 * epoch end), then train end. Epoch and batch numbers start at 0.
 *
 * <p>{@code logs} holds the values known at that moment: after a batch the running means of the
 * epoch so far ({@code loss}, metrics); after an epoch the epoch's means plus the validation values
 * ({@code val_loss}, ...) and the learning rate ({@code learning_rate}). A callback may read but should
 * not keep the map: it can be reused for the next call.
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
}
