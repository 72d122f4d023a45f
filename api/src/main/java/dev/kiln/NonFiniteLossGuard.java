package dev.kiln;

import dev.kiln.callbacks.Callback;
import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.runtime.NonFiniteStepException;
import java.util.List;

/**
 * Runs one training step and turns the engine's "this batch went non-finite" into a
 * {@link NonFiniteLossException} that names the epoch and the batch. The engine checks the loss
 * before the backward pass, and before the update that the update and the moving statistics would
 * stay finite, so a failed step changes no weight, no optimizer slot, no moving statistic and no step
 * count: "the weights from before that step" are simply the model's weights. The happy path costs a
 * try block, nothing else.
 */
final class NonFiniteLossGuard {
    private NonFiniteLossGuard() {
    }

    /**
     * {@code graph.trainStep(rows)} for batch {@code batch} of {@code batches} in epoch {@code epoch} of
     * {@code epochs}. Returns normally when the step ran; when the engine refused it, a
     * callback that takes charge of it ({@link Callback#onRefusedStep}, e.g. TerminateOnNaN) stops training or raises,
     * and without one the refusal becomes a {@link NonFiniteLossException}.
     *
     * @return true when the step ran, false when it was refused and training should stop
     */
    static boolean trainStep(CompiledGraph graph, int rows, int epoch, int epochs, int batch, int batches,
            List<Callback> callbacks) {
        try {
            graph.trainStep(rows);
            return true;
        } catch (NonFiniteStepException e) {
            NonFiniteLossException error = describe(e, rows, epoch, epochs, batch, batches);
            boolean handled = false;
            for (Callback callback : callbacks) {
                handled |= callback.onRefusedStep(batch, error);
            }
            if (!handled) {
                throw error;
            }
            return false;
        }
    }

    private static NonFiniteLossException describe(NonFiniteStepException e, int rows, int epoch, int epochs,
            int batch, int batches) {
        double loss = e.lossSum() / rows;
        String what = switch (e.source()) {
            case LOSS -> "the loss became " + loss;
            case GRADIENT -> "the gradient of " + e.parameter() + " became non-finite (loss " + loss + ")";
            case UPDATE -> "the optimizer's update would have made " + e.parameter()
                    + " or its optimizer state non-finite (loss " + loss + ")";
            case STATE -> "the batch statistics for " + e.parameter() + " became non-finite (loss " + loss + ")";
        };
        return new NonFiniteLossException(what + " in epoch " + (epoch + 1) + "/" + epochs + ", batch "
                + (batch + 1) + (batches > 0 ? "/" + batches : "") + "; training stopped before that batch's update, so the model"
                + " keeps its weights from before it. Lower the learning rate, or scale the inputs and targets.",
                epoch, batch, loss, e);
    }
}
