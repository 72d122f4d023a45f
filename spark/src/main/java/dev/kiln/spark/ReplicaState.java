package dev.kiln.spark;

import dev.kiln.Model;
import java.io.Serializable;
import java.util.List;

/**
 * What every replica starts a round from, broadcast by the driver: the averaged weights and optimizer
 * slots, the step count and the learning rate (NaN under a schedule, which follows the step count).
 * Putting all of it into the replica at the start of every round is what makes a round a pure function of
 * this state and the partition's rows, and so safe to retry.
 */
record ReplicaState(List<float[]> weights, List<float[]> slots, long iterations, double learningRate)
        implements Serializable {

    static ReplicaState of(Model model) {
        double rate = model.optimizer().schedule() == null ? model.learningRate() : Double.NaN;
        return new ReplicaState(model.getWeights(), model.getOptimizerSlots(), model.iterations(), rate);
    }

    void applyTo(Model model) {
        model.setWeights(weights);
        model.setOptimizerSlots(slots);
        model.setIterations(iterations);
        if (!Double.isNaN(learningRate)) {
            model.setLearningRate(learningRate);
        }
    }
}
