package dev.kiln;

import dev.kiln.metrics.ConfusionMatrix;
import java.util.Map;

/**
 * What {@link Model#evaluateDetailed} returns: the scores {@link Model#evaluate} gives (loss and every
 * compiled metric) and the confusion matrix of the arg-max predictions, from one pass over the data.
 *
 * <pre>{@code
 * Evaluation e = model.evaluateDetailed(xTest, yTest);
 * e.scores().get("accuracy");
 * e.confusionMatrix().falsePositives(6);
 * System.out.println(e);
 * }</pre>
 */
public record Evaluation(Map<String, Double> scores, ConfusionMatrix confusionMatrix) {
    public Evaluation {
        scores = Map.copyOf(scores);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        scores.forEach((k, v) -> sb.append(k).append(": ").append(String.format(java.util.Locale.ROOT, "%.4f", v))
                .append('\n'));
        return sb.append(confusionMatrix).toString();
    }
}
