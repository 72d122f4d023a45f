package dev.kiln.core.exec;

import java.util.List;

/** A flat sequence of steps run in order: what a compiled graph executes for one batch. */
public final class Program {
    private final Step[] steps;

    public Program(List<Step> steps) {
        this.steps = steps.toArray(Step[]::new);
    }

    public void run(int rows) {
        for (Step step : steps) {
            step.run(rows);
        }
    }

    public int size() {
        return steps.length;
    }
}
