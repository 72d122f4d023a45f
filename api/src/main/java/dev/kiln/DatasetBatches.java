package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.data.Dataset;
import dev.kiln.data.DatasetPass;
import dev.kiln.losses.Loss;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Batches of a {@link Dataset}: a new pass per epoch, or with {@code stepsPerEpoch} one pass that the
 * epochs share (as Keras iterates a dataset when given steps_per_epoch). Each batch's targets are checked
 * against the loss as it arrives, since a stream cannot be checked whole before training.
 */
final class DatasetBatches implements TrainingBatches {
    private final Dataset dataset;
    private final int stepsPerEpoch;
    private final String what;
    private DatasetPass pass;
    private boolean fresh;
    private Loss loss;
    private int outputWidth;

    /** Opens the first pass (of epoch {@code epoch}) at once: its widths build the model. */
    DatasetBatches(Dataset dataset, int stepsPerEpoch, int epoch, String what) {
        this.dataset = dataset;
        this.stepsPerEpoch = stepsPerEpoch;
        this.what = what;
        this.pass = open(dataset, epoch);
        this.fresh = true;
    }

    static DatasetPass open(Dataset dataset, int epoch) {
        try {
            return dataset.open(epoch);
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
    }

    int xWidth() {
        return pass.xWidth();
    }

    /** Checks the targets' width for {@code loss} on a model with {@code outputWidth} outputs. */
    DatasetBatches expectTargets(Loss loss, int outputWidth) {
        int expected = loss.sparseTargets() ? 1 : outputWidth;
        if (pass.yWidth() == 0) {
            throw new IllegalArgumentException(what + " has no targets (y): fit and evaluate need them");
        }
        if (pass.yWidth() != expected) {
            throw new IllegalArgumentException(what + " has target rows of " + pass.yWidth() + " values but loss '"
                    + loss.name() + "' with " + outputWidth + " outputs expects " + expected
                    + (loss.sparseTargets() ? " (a class index)" : ""));
        }
        this.loss = loss;
        this.outputWidth = outputWidth;
        return this;
    }

    @Override
    public int steps() {
        return stepsPerEpoch > 0 ? stepsPerEpoch : Math.max(dataset.steps(), 0);
    }

    @Override
    public int largestBatch() {
        return dataset.batchSize();
    }

    @Override
    public void startEpoch(int epoch) {
        if (fresh || stepsPerEpoch > 0) {
            fresh = false;
            return;
        }
        pass.close();
        pass = open(dataset, epoch);
    }

    @Override
    public int next() {
        if (!pass.next()) {
            return 0;
        }
        if (loss != null) {
            checkTargets(pass.y(), pass.rows());
        }
        return pass.rows();
    }

    @Override
    public void load(CompiledGraph graph) {
        int rows = pass.rows();
        graph.ensureCapacity(rows);
        graph.loadInputs(pass.x(), rows);
        if (loss != null) {
            graph.loadTargets(pass.y(), rows);
        }
    }

    /** Loads the inputs alone, for predict. */
    void loadInputs(CompiledGraph graph) {
        graph.ensureCapacity(pass.rows());
        graph.loadInputs(pass.x(), pass.rows());
    }

    float[] x() {
        return pass.x();
    }

    int rows() {
        return pass.rows();
    }

    @Override
    public void close() {
        pass.close();
    }

    private void checkTargets(float[] y, int rows) {
        int width = pass.yWidth();
        for (int i = 0; i < rows * width; i++) {
            float v = y[i];
            if (loss.sparseTargets() && (v != (int) v || v < 0 || v >= outputWidth)) {
                throw new IllegalArgumentException(what + " has target " + v + " in a batch's row " + i
                        + ": class indices must be whole numbers in [0, " + outputWidth + ") for a model with "
                        + outputWidth + " outputs");
            }
            if (loss.targetsAreProbabilities() && !(v >= 0f && v <= 1f)) {
                throw new IllegalArgumentException(what + " has target " + v + " in a batch's row " + i / width
                        + ": " + loss.name() + " needs targets in [0, 1] (class 0 or 1, or a probability)");
            }
        }
    }
}
