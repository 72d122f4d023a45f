package dev.kiln.core.runtime;

import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.FiniteScan;
import java.util.List;
import java.util.function.DoubleSupplier;

/**
 * Steps of the training program that stop it, before anything is written, when the batch went
 * non-finite. The loss is checked right after it is computed (one compare of a number the loss step
 * already summed); then, right before the optimizer update, the update is run once without storing
 * anything to see that every new weight and optimizer slot would be finite, and the ops' state updates
 * (moving statistics) are asked the same. A NaN or infinite gradient fails that check too, and so does
 * a finite gradient that an update would overflow (Adam squaring 1e20). Stopping there needs no copy
 * of the weights: nothing that would spoil them has run, so the model keeps the weights, the optimizer
 * slots, the moving statistics and the step count it had before the batch. Nothing is allocated unless
 * it fails.
 */
public final class FiniteGuard {
    private FiniteGuard() {
    }

    /** Throws {@link NonFiniteStepException} when the loss the step just computed is NaN or infinite. */
    public static Step loss(LossStep loss) {
        return rows -> {
            double sum = loss.lossSum();
            if (!Double.isFinite(sum)) {
                throw new NonFiniteStepException(sum, NonFiniteStepException.Source.LOSS, null);
            }
        };
    }

    /**
     * Throws {@link NonFiniteStepException} when {@code update} (null when nothing is trainable) or one of
     * {@code states} would write a non-finite value; it names the first parameter at fault, and whether
     * its gradient or only its update was not finite.
     */
    public static Step beforeUpdate(UpdateStep update, List<Parameter> parameters, List<StateUpdate> states,
            DoubleSupplier lossSum) {
        Parameter[] trainable = parameters.stream().filter(Parameter::trainable).toArray(Parameter[]::new);
        StateUpdate[] stateUpdates = states.toArray(StateUpdate[]::new);
        return rows -> {
            if (update != null && !update.wouldStayFinite()) {
                throw updateFailure(update, trainable, lossSum.getAsDouble());
            }
            for (StateUpdate state : stateUpdates) {
                String bad = state.firstNonFinite();
                if (bad != null) {
                    throw new NonFiniteStepException(lossSum.getAsDouble(), NonFiniteStepException.Source.STATE, bad);
                }
            }
        };
    }

    /** Runs only after a failed check: finds the first parameter whose gradient, or else whose update, is at fault. */
    private static NonFiniteStepException updateFailure(UpdateStep update, Parameter[] trainable, double lossSum) {
        for (Parameter p : trainable) {
            if (!FiniteScan.allFinite(p.gradient(), 0, p.size())) {
                return new NonFiniteStepException(lossSum, NonFiniteStepException.Source.GRADIENT, p.name());
            }
        }
        for (Parameter p : trainable) {
            if (!update.wouldStayFinite(p.offset(), p.offset() + p.size())) {
                return new NonFiniteStepException(lossSum, NonFiniteStepException.Source.UPDATE, p.name());
            }
        }
        throw new IllegalStateException("the update check failed but no parameter's update is non-finite on its own");
    }
}
