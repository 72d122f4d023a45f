package dev.kiln.examples;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What {@code ./kiln bench} measured, and the figures derived from it: median samples/s of training
 * (epochs after the first) and of inference (the last {@code steadyPasses} predict passes), the achieved
 * training GFLOP/s, and what a user waits for: the first epoch, the whole fit, the first predict and the
 * time from the JVM's start to the end of fit.
 */
record BenchResult(BenchOptions options, int threads, int trainSamples, List<Double> epochSeconds, double fitSeconds,
        double processSeconds, int testSamples, List<Double> predictSeconds, int steadyPasses, double testAccuracy,
        double testLoss, long flopsPerSample) {
    BenchResult {
        epochSeconds = List.copyOf(epochSeconds);
        predictSeconds = List.copyOf(predictSeconds);
    }

    /** The predict passes the steady speed is the median of: the last {@code steadyPasses}. */
    List<Double> steadyPredictSeconds() {
        return predictSeconds.subList(Math.max(0, predictSeconds.size() - steadyPasses), predictSeconds.size());
    }

    /** The epochs the speed is the median of: 2..N, or the only one. */
    List<Double> steadyEpochSeconds() {
        return epochSeconds.size() > 1 ? epochSeconds.subList(1, epochSeconds.size()) : epochSeconds;
    }

    double trainSamplesPerSecond() {
        return trainSamples / median(steadyEpochSeconds());
    }

    double inferenceSamplesPerSecond() {
        return testSamples / median(steadyPredictSeconds());
    }

    /** Achieved training GFLOP/s: FLOPs per sample (see {@link TrainingFlops}) × samples/s / 1e9. */
    double gflops() {
        return flopsPerSample * trainSamplesPerSecond() / 1e9;
    }

    /** Human-readable lines, printed before the JSON. */
    String summary() {
        List<Double> steady = steadyEpochSeconds();
        String label = epochSeconds.size() > 1 ? "epochs 2.." + epochSeconds.size() : "epoch 1";
        StringBuilder passes = new StringBuilder();
        predictSeconds.forEach(p -> passes.append(passes.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", p * 1e3)));
        return String.format(Locale.ROOT, """
                training: median epoch (%s) %.3fs [min %.3f max %.3f], %,.0f samples/s, %.1f GFLOP/s \
                (%,d FLOP/sample)
                waited for: first epoch %.3fs (%.1fx a steady one), whole fit %.3fs, JVM start to end of fit %.3fs
                predict (%,d test images, batch 1024), every pass, ms: %s
                inference: first pass %.1f ms (%.1fx steady), median of the last %d %.1f ms, %,.0f samples/s
                test accuracy %.4f, test loss %.4f
                """, label, median(steady), min(steady), max(steady), trainSamplesPerSecond(), gflops(), flopsPerSample,
                epochSeconds.get(0), epochSeconds.get(0) / median(steady), fitSeconds, processSeconds, testSamples,
                passes, predictSeconds.get(0) * 1e3, predictSeconds.get(0) / median(steadyPredictSeconds()),
                steadyPasses, median(steadyPredictSeconds()) * 1e3, inferenceSamplesPerSecond(), testAccuracy, testLoss);
    }

    /** One JSON object on one line: what scripts read (benchmarks/compare-peers.sh). */
    String json() {
        StringBuilder sb = new StringBuilder("{");
        field(sb, "train_samples_per_second", number(trainSamplesPerSecond()));
        field(sb, "inference_samples_per_second", number(inferenceSamplesPerSecond()));
        field(sb, "test_accuracy", number(testAccuracy));
        field(sb, "test_loss", number(testLoss));
        field(sb, "threads", Integer.toString(threads));
        field(sb, "batch", Integer.toString(options.batch()));
        field(sb, "epochs", Integer.toString(options.epochs()));
        field(sb, "model", "\"" + options.model() + "\"");
        // Empty for the convnet, as the peers write it.
        field(sb, "hidden", options.hidden().toString().replace(" ", ""));
        field(sb, "gflops", number(gflops()));
        field(sb, "flops_per_sample", Long.toString(flopsPerSample));
        field(sb, "flops_formula", "\"" + (options.isConvNet() ? TrainingFlops.CONV_FORMULA : TrainingFlops.MLP_FORMULA)
                + "\"");
        field(sb, "train_samples", Integer.toString(trainSamples));
        field(sb, "epoch_seconds", numbers(epochSeconds));
        field(sb, "first_epoch_seconds", number(epochSeconds.get(0)));
        field(sb, "fit_seconds", number(fitSeconds));
        field(sb, "process_seconds", number(processSeconds));
        field(sb, "predict_seconds", numbers(predictSeconds));
        field(sb, "first_predict_seconds", number(predictSeconds.get(0)));
        field(sb, "java", "\"" + Runtime.version() + "\"");
        return sb.append('}').toString();
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static void field(StringBuilder sb, String key, String value) {
        if (sb.length() > 1) {
            sb.append(',');
        }
        sb.append('"').append(key).append("\":").append(value);
    }

    private static String numbers(List<Double> values) {
        return Arrays.toString(values.stream().map(BenchResult::number).toArray());
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
