package dev.kiln.spark;

import java.io.Serializable;

/**
 * Called at the start of every replica task with the round, the partition and Spark's attempt number; the
 * fault tests throw from it to make Spark retry a task. Not for users: training has no other hooks on the
 * executors.
 */
@FunctionalInterface
interface RoundHook extends Serializable {
    void beforeRound(int round, int partition, int attempt);
}
