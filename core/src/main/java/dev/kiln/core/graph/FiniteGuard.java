package dev.kiln.core.graph;

import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.FiniteScan;
import java.util.List;

/**
 * Steps of the training program that stop it, before the optimizer update, when the batch went
 * non-finite. The loss is checked right after it is computed (one compare of a number the loss step
 * already summed) and the gradients right before the update (one vector pass over the parameters'
 * gradients, far cheaper than the GEMMs that produced them). Stopping there needs no copy of the
 * weights: the update that would have spoiled them never runs, so the model keeps the weights, the
 * optimizer slots and the step count it had before the batch. Nothing is allocated unless it fails.
 */
final class FiniteGuard {
    private FiniteGuard() {
    }

    /** Throws {@link NonFiniteStepException} when the loss the step just computed is NaN or infinite. */
    static Step loss(LossStep loss) {
        return rows -> {
            double sum = loss.lossSum();
            if (!Double.isFinite(sum)) {
                throw new NonFiniteStepException(sum, null);
            }
        };
    }

    /** Throws {@link NonFiniteStepException} when any gradient element is NaN or infinite. */
    static Step gradients(List<Parameter> parameters, LossStep loss) {
        Parameter[] all = parameters.toArray(Parameter[]::new);
        return rows -> {
            for (Parameter p : all) {
                if (!FiniteScan.allFinite(p.gradient, 0, p.size())) {
                    throw new NonFiniteStepException(loss.lossSum(), p.name());
                }
            }
        };
    }
}
