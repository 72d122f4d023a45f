package dev.kiln;

import dev.kiln.callbacks.Callback;
import dev.kiln.callbacks.FitParams;
import dev.kiln.callbacks.ProgbarLogger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The callbacks of one {@code fit}, in Keras' order: the user's, then the History, then the
 * progress output (the user's own {@link ProgbarLogger} if they passed one, else a default one unless
 * verbose is 0). Each hook goes to every callback in turn.
 */
final class CallbackList {
    private final Callback[] callbacks;

    CallbackList(List<Callback> user, History history, Model model, FitParams params) {
        List<Callback> all = new ArrayList<>();
        Callback progress = null;
        for (Callback c : user) {
            if (c instanceof ProgbarLogger) {
                progress = c;
            } else {
                all.add(c);
            }
        }
        all.add(history.recorder());
        if (progress == null && params.verbose() != 0) {
            progress = new ProgbarLogger();
        }
        if (progress != null) {
            all.add(progress);
        }
        callbacks = all.toArray(Callback[]::new);
        for (Callback c : callbacks) {
            c.setModel(model);
            c.setParams(params);
        }
    }

    void onTrainBegin(Map<String, Double> logs) {
        for (Callback c : callbacks) {
            c.onTrainBegin(logs);
        }
    }

    void onTrainEnd(Map<String, Double> logs) {
        for (Callback c : callbacks) {
            c.onTrainEnd(logs);
        }
    }

    void onEpochBegin(int epoch, Map<String, Double> logs) {
        for (Callback c : callbacks) {
            c.onEpochBegin(epoch, logs);
        }
    }

    void onEpochEnd(int epoch, Map<String, Double> logs) {
        for (Callback c : callbacks) {
            c.onEpochEnd(epoch, logs);
        }
    }

    void onBatchBegin(int batch, Map<String, Double> logs) {
        for (Callback c : callbacks) {
            c.onBatchBegin(batch, logs);
        }
    }

    void onBatchEnd(int batch, Map<String, Double> logs) {
        for (Callback c : callbacks) {
            c.onBatchEnd(batch, logs);
        }
    }
}
