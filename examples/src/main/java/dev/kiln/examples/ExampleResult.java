package dev.kiln.examples;

import java.util.List;
import java.util.Map;

/**
 * What an example reports: its test scores (loss and metrics), how long training took, and the
 * training time of each epoch, from which the steady-state speed is the median after the first epoch
 * (the first one includes the JIT compiling the kernels); {@code extras} are facts of that example's
 * own (the best epoch, whether a resumed run matched), numbers or booleans, added to the demo's JSON.
 */
record ExampleResult(Map<String, Double> testScores, double trainSeconds, long trainedSamples,
        int samplesPerEpoch, List<Double> epochSeconds, Map<String, Object> extras) {
    ExampleResult {
        extras = Map.copyOf(extras);
    }

    ExampleResult(Map<String, Double> testScores, double trainSeconds, long trainedSamples, int samplesPerEpoch,
            List<Double> epochSeconds) {
        this(testScores, trainSeconds, trainedSamples, samplesPerEpoch, epochSeconds, Map.of());
    }

    double samplesPerSecond() {
        return trainSeconds > 0 ? trainedSamples / trainSeconds : Double.NaN;
    }

    /** Median training samples per second over the epochs after the first (the only one if there is one). */
    double steadySamplesPerSecond() {
        if (epochSeconds.isEmpty()) {
            return Double.NaN;
        }
        List<Double> steady = epochSeconds.size() > 1 ? epochSeconds.subList(1, epochSeconds.size()) : epochSeconds;
        double[] sorted = steady.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return samplesPerEpoch / median;
    }
}
