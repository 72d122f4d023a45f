package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.metrics.ConfusionMatrix;
import java.util.Map;

/**
 * The loop of {@link Model#evaluateDetailed}: the same batches as evaluate, and after each one the
 * outputs are read back to count (true class, predicted class) pairs. Not a training path: it
 * allocates one buffer of a batch of outputs.
 */
final class DetailedEvaluation {
    private DetailedEvaluation() {
    }

    static Evaluation run(Model model, CompiledGraph graph, Inputs x, Targets y, int batchRows) {
        int batch = Math.min(batchRows, x.count());
        graph.ensureCapacity(batch);
        int width = graph.outputWidth();
        BatchTotals totals = new BatchTotals(model.metrics(), model.reductions(width));
        ConfusionMatrix matrix = new ConfusionMatrix(width == 1 ? 2 : width);
        float[][] outputs = new float[batch][width];
        for (int from = 0; from < x.count(); from += batch) {
            int n = Math.min(batch, x.count() - from);
            x.load(graph, null, from, n);
            y.load(graph, null, from, n);
            graph.evaluateStep(n);
            totals.add(graph, n);
            graph.readOutputs(outputs, 0, n);
            for (int r = 0; r < n; r++) {
                matrix.add(y.classOf(from + r), ConfusionMatrix.predictedClass(outputs[r]));
            }
        }
        Map<String, Double> scores = totals.means("");
        return new Evaluation(scores, matrix);
    }
}
