package dev.kiln.spark;

import dev.kiln.Model;
import java.io.Serializable;
import java.util.List;

/**
 * What every replica starts a round from, broadcast by the driver: the averaged weights and optimizer
 * slots, the step count, the learning rate (NaN under a schedule, which follows the step count) and the
 * seed of the dropout masks. Putting all of it into the replica at the start of every round, and the
 * dropout stream at a place fixed by the partition and the step count, is what makes a round a pure
 * function of this state and the partition's rows, and so safe to retry.
 */
record ReplicaState(List<float[]> weights, List<float[]> slots, long iterations, double learningRate,
        long dropoutSeed) implements Serializable {

    static ReplicaState of(Model model) {
        double rate = model.optimizer().schedule() == null ? model.learningRate() : Double.NaN;
        return new ReplicaState(model.getWeights(), model.getOptimizerSlots(), model.iterations(), rate,
                model.dropoutSeed());
    }

    /**
     * Puts the state into partition {@code partition}'s replica: each partition draws its own masks (its
     * partition mixed into the seed), from where the step count says, whichever JVM runs the round.
     */
    void applyTo(Model model, int partition) {
        model.setWeights(weights);
        model.setOptimizerSlots(slots);
        model.setIterations(iterations);
        if (!Double.isNaN(learningRate)) {
            model.setLearningRate(learningRate);
        }
        model.setDropoutStream(partitionSeed(dropoutSeed, partition), iterations);
    }

    /**
     * A seed of its own for each partition (SplitMix64's finaliser over the seed and the partition);
     * partition 0 keeps the model's, so one partition draws the masks {@code Model.fit} would.
     */
    static long partitionSeed(long seed, int partition) {
        if (partition == 0) {
            return seed;
        }
        long z = seed + 0x9E3779B97F4A7C15L * (partition + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
