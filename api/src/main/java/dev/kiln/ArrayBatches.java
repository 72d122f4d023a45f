package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;

/**
 * Batches of in-memory x and y (and a weight per row, when given), gathered straight into the graph's
 * buffers in each epoch's order.
 */
final class ArrayBatches implements TrainingBatches {
    private final Inputs x;
    private final Targets y;
    /** A weight per row, or null when unweighted. */
    private final float[] weights;
    private final int batch;
    private final long seed;
    private final boolean shuffle;
    private final int[] order;
    private int from;
    private int count;

    ArrayBatches(Inputs x, Targets y, float[] weights, int batchSize, long seed, boolean shuffle) {
        this.x = x;
        this.y = y;
        this.weights = weights;
        this.batch = Math.min(batchSize, x.count());
        this.seed = seed;
        this.shuffle = shuffle;
        this.order = new int[x.count()];
    }

    @Override
    public int steps() {
        return (x.count() + batch - 1) / batch;
    }

    @Override
    public int largestBatch() {
        return batch;
    }

    @Override
    public void startEpoch(int epoch) {
        Trainer.fillOrder(order, seed, epoch, shuffle);
        from = 0;
        count = 0;
    }

    @Override
    public int next() {
        from += count;
        count = Math.min(batch, x.count() - from);
        return Math.max(count, 0);
    }

    @Override
    public void load(CompiledGraph graph) {
        x.load(graph, order, from, count);
        y.load(graph, order, from, count);
        if (weights != null) {
            graph.loadSampleWeights(weights, order, from, count);
        }
    }

    @Override
    public void close() {
    }
}
