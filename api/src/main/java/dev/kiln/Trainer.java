package dev.kiln;

import dev.kiln.core.graph.CompiledGraph;
import dev.kiln.core.graph.MetricReduction;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * The epoch loop of {@link Model#fit}: shuffle, gather each mini-batch into the compiled graph's
 * input buffer, run a training step, accumulate loss and metrics, validate, record.
 */
final class Trainer {
    private final Model model;
    private final CompiledGraph graph;
    private final FitSettings settings;

    Trainer(Model model, CompiledGraph graph, FitSettings settings) {
        this.model = model;
        this.graph = graph;
        this.settings = settings;
    }

    History run(Inputs x, Targets y, Inputs valX, Targets valY) {
        History history = new History();
        int n = x.count();
        int batch = Math.min(settings.batchSize(), n);
        graph.ensureCapacity(batch);
        List<MetricReduction> reductions = model.reductions(graph.outputWidth());
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random random = model.shuffleRandom();
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            long start = System.nanoTime();
            if (settings.shuffle()) {
                shuffle(order, random);
            }
            BatchTotals totals = new BatchTotals(model.metrics(), reductions);
            for (int from = 0; from < n; from += batch) {
                int count = Math.min(batch, n - from);
                x.load(graph, order, from, count);
                y.load(graph, order, from, count);
                NonFiniteLossGuard.trainStep(graph, count, epoch, settings.epochs(), from / batch, (n + batch - 1) / batch);
                totals.add(graph, count);
            }
            double trainingSeconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> logs = totals.means("");
            if (valX != null) {
                logs.putAll(model.evaluateChecked(valX, valY, "val_"));
            }
            history.record(epoch, logs, trainingSeconds);
            if (settings.verbose() > 0) {
                System.out.println(epochLine(epoch, (System.nanoTime() - start) / 1e9, logs));
            }
        }
        return history;
    }

    private String epochLine(int epoch, double seconds, Map<String, Double> logs) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Epoch %d/%d - %.1fs", epoch + 1, settings.epochs(), seconds));
        logs.forEach((k, v) -> sb.append(String.format(Locale.ROOT, " - %s: %.4f", k, v)));
        return sb.toString();
    }

    /** Fisher–Yates over the whole permutation, from the model's seeded generator. */
    private static void shuffle(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}
