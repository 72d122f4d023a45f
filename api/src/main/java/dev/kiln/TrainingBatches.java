package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;

/**
 * Where {@link Trainer} takes an epoch's batches from: arrays gathered in the epoch's order
 * ({@link ArrayBatches}) or a {@link dev.kiln.data.Dataset} ({@link DatasetBatches}). The loop asks for
 * the next batch's size before its callbacks run, and has it loaded into the graph after them, so that
 * a callback may use the model (predict) in between.
 */
interface TrainingBatches extends AutoCloseable {
    /** Batches per epoch, or 0 when known only once an epoch has ended (a generator). */
    int steps();

    /** The largest batch, for the graph's capacity; 0 when unknown. */
    int largestBatch();

    /** Starts epoch {@code epoch}: its order, or a new pass. */
    void startEpoch(int epoch);

    /** Moves to the next batch of the epoch: its rows, or 0 when the epoch has no more. */
    int next();

    /** Loads the batch {@link #next()} moved to into the graph. */
    void load(CompiledGraph graph);

    @Override
    void close();
}
