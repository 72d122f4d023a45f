package dev.kiln.callbacks;

import dev.kiln.Model;
import java.util.Map;

/**
 * Ends training when a batch's loss is NaN or infinite, as Keras' {@code TerminateOnNaN}: by
 * default gracefully (the epoch ends, the callbacks' end hooks run), or with {@code raiseError}
 * by throwing {@link IllegalStateException} at once.
 *
 * <pre>{@code
 * model.fit(x, y, epochs(10), callbacks(new TerminateOnNaN()));
 * }</pre>
 */
public final class TerminateOnNaN implements Callback {
    private final boolean raiseError;
    private Model model;

    public TerminateOnNaN() {
        this(false);
    }

    public TerminateOnNaN(boolean raiseError) {
        this.raiseError = raiseError;
    }

    @Override
    public void setModel(Model model) {
        this.model = model;
    }

    /** A refused step had a NaN or infinite loss or gradient: stop, or raise when {@code raiseError}. */
    @Override
    public boolean onRefusedStep(int batch, RuntimeException cause) {
        if (raiseError) {
            throw new IllegalStateException("NaN or Inf loss encountered at batch " + batch + ". "
                    + cause.getMessage() + " Terminating training immediately.", cause);
        }
        System.out.println("Batch " + batch + ": Invalid loss, terminating training");
        model.stopTraining();
        return true;
    }

    @Override
    public void onBatchEnd(int batch, Map<String, Double> logs) {
        Double loss = logs.get("loss");
        if (loss != null && (loss.isNaN() || loss.isInfinite())) {
            if (raiseError) {
                throw new IllegalStateException("NaN or Inf loss encountered at batch " + batch + ". Loss value: " + loss
                        + ". Terminating training immediately.");
            }
            System.out.println("Batch " + batch + ": Invalid loss, terminating training");
            model.stopTraining();
        }
    }
}
