package dev.kiln.core.runtime;

import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.PenaltyKernels;
import java.util.List;

/**
 * Computes the weight penalties of a graph and, when training, adds their gradients to the parameter
 * gradients the backward pass has just written. It runs before the update, so its value is that of the
 * weights the forward pass used. One thread: the penalized weights are read once.
 */
public final class PenaltyStep implements Step {
    private final Parameter[] parameters;
    private final boolean training;
    private double value;

    private PenaltyStep(List<Parameter> penalized, boolean training) {
        this.parameters = penalized.toArray(Parameter[]::new);
        this.training = training;
    }

    /** The step for the penalized parameters among {@code parameters}, or null when none is. */
    public static PenaltyStep of(List<Parameter> parameters, boolean training) {
        List<Parameter> penalized = parameters.stream().filter(p -> p.penalty() != null).toList();
        return penalized.isEmpty() ? null : new PenaltyStep(penalized, training);
    }

    @Override
    public void run(int rows) {
        double sum = 0;
        for (Parameter p : parameters) {
            WeightPenalty w = p.penalty();
            sum += training ? PenaltyKernels.addGradient(p.value(), p.gradient(), w.l1(), w.l2(), 0, p.size())
                    : PenaltyKernels.penalty(p.value(), w.l1(), w.l2(), 0, p.size());
        }
        value = sum;
    }

    /** The total penalty at the last run. */
    public double value() {
        return value;
    }
}
