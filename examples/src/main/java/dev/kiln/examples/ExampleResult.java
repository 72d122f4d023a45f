package dev.kiln.examples;

import java.util.Map;

/** What an example reports: its test scores (loss and metrics) and how fast it trained. */
record ExampleResult(Map<String, Double> testScores, double trainSeconds, long trainedSamples) {
    double samplesPerSecond() {
        return trainSeconds > 0 ? trainedSamples / trainSeconds : Double.NaN;
    }
}
