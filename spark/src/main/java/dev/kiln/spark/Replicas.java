package dev.kiln.spark;

import dev.kiln.Model;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicas an executor JVM keeps between rounds of a fit, one per partition it trains, so that a
 * round costs a state copy rather than building a model. Nothing depends on a replica surviving: every
 * round puts the broadcast state into it first, and a missing or closed one is rebuilt from the shipped
 * model file. A fit ends by releasing its replicas on every executor ({@code DataParallelFit}); fits
 * running at once in one JVM keep theirs apart.
 */
final class Replicas {
    private static final Map<String, Model> BY_KEY = new ConcurrentHashMap<>();

    private Replicas() {
    }

    /** The replica of partition {@code partition} of fit {@code fitId}, not closed. */
    static Model get(String fitId, int partition, ModelBytes model) {
        // compute: two attempts of one partition (a retry beside a zombie attempt, a speculative copy) must
        // not both build a replica and leak the one the map forgets.
        return BY_KEY.compute(fitId + "/" + partition,
                (key, replica) -> replica != null && !replica.isClosed() ? replica : ExecutorModels.load(model));
    }

    /** Closes and forgets the replicas of fit {@code fitId} (those in this JVM). */
    static void release(String fitId) {
        release(key -> key.startsWith(fitId + "/"));
    }

    private static void release(java.util.function.Predicate<String> which) {
        BY_KEY.entrySet().removeIf(e -> {
            if (which.test(e.getKey())) {
                e.getValue().close(); // waits for a round still using it, so none is freed under a task
                return true;
            }
            return false;
        });
    }
}
