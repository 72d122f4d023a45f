package dev.kiln.spark;

import dev.kiln.Model;
import dev.kiln.core.memory.Tensor;
import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores one partition: rows are gathered {@code batchSize} at a time into an off-heap input tensor, the
 * executor's shared model predicts the batch, and each input row comes out with two more values, the
 * probability vector and the predicted class (the arg-max; for a single sigmoid output, 1 above 0.5). Rows stream through: a partition never sits in
 * memory whole.
 */
final class ScorePartition implements FlatMapFunction<Iterator<Row>, Row> {
    private static final long serialVersionUID = 1L;

    private final Broadcast<ModelBytes> model;
    private final FeatureColumn features;
    private final int batchSize;

    ScorePartition(Broadcast<ModelBytes> model, FeatureColumn features, int batchSize) {
        this.model = model;
        this.features = features;
        this.batchSize = batchSize;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> rows) {
        if (!rows.hasNext()) {
            return rows;
        }
        Model scorer = ExecutorModels.shared(model.value());
        // Shared, not confined: Spark may close the task from another thread than the one that iterates.
        Arena arena = Arena.ofShared();
        Tensor input = Tensor.allocate(arena, batchSize, features.width());
        TaskContext task = TaskContext.get();
        if (task != null) {
            task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) ctx -> arena.close());
        }
        return new Iterator<>() {
            private final float[] scratch = new float[features.width()];
            private final List<Row> batch = new ArrayList<>(batchSize);
            private float[][] scores;
            private int next;

            @Override
            public boolean hasNext() {
                if (next < batch.size()) {
                    return true;
                }
                if (!rows.hasNext()) {
                    if (task == null && arena.scope().isAlive()) {
                        arena.close();
                    }
                    return false;
                }
                batch.clear();
                next = 0;
                while (batch.size() < batchSize && rows.hasNext()) {
                    Row row = rows.next();
                    features.read(row, scratch, input.segment(), batch.size());
                    batch.add(row);
                }
                int n = batch.size();
                Tensor view = n == batchSize ? input
                        : Tensor.wrap(input.segment().asSlice(0, (long) n * features.width() * Float.BYTES), n,
                                features.width());
                scores = scorer.predict(view);
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Row row = batch.get(next);
                float[] p = scores[next++];
                double[] probabilities = new double[p.length];
                int best = 0;
                for (int j = 0; j < p.length; j++) {
                    probabilities[j] = p[j];
                    if (p[j] > p[best]) {
                        best = j;
                    }
                }
                if (p.length == 1) {
                    best = p[0] > 0.5f ? 1 : 0; // one sigmoid output: the probability of class 1
                }
                Object[] values = new Object[row.size() + 2];
                for (int j = 0; j < row.size(); j++) {
                    values[j] = row.get(j);
                }
                values[row.size()] = Vectors.dense(probabilities);
                values[row.size() + 1] = (double) best;
                return RowFactory.create(values);
            }
        };
    }
}
