package dev.kiln.examples;

import dev.kiln.Kiln;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./kiln demo}: trains one of the examples and ends with a JSON line of its results.
 *
 * <pre>{@code
 * ./kiln demo                                  # Fashion-MNIST, 5 epochs, batch 128
 * ./kiln demo --model cnn                      # Keras' simple convnet on the images
 * ./kiln demo --model keras                    # a model trained in Python Keras, served and trained on
 * ./kiln demo --model xor
 * ./kiln demo --model binary
 * ./kiln demo --model imbalanced
 * ./kiln demo --model custom-loss
 * ./kiln demo --model early-stopping
 * ./kiln demo --model checkpoint
 * ./kiln demo --model streaming
 * ./kiln demo --model fine-tune
 * ./kiln demo --epochs 2 --batch 256 --threads 1
 * }</pre>
 */
public final class Demo {
    private Demo() {
    }

    public static void main(String[] args) {
        DemoOptions options = CommandLine.parseOrExit("demo", args, DemoOptions::parse, DemoOptions.usage());
        Kiln.setSeed(options.seed());
        Kiln.setThreads(options.threads());
        ExampleResult result = switch (options.model()) {
            case "cnn" -> ConvNetExample.run(options.epochs(), options.batch());
            case "keras" -> KerasModelExample.run(options.epochs(), options.batch(), Path.of(KerasModelExample.SAVED));
            case "xor" -> XorExample.run(options.epochs(), options.batch());
            case "regression" -> RegressionExample.run(options.epochs(), options.batch());
            case "binary" -> BinaryClassificationExample.run(options.epochs(), options.batch());
            case "functional" -> FunctionalExample.run(options.epochs(), options.batch());
            case "imbalanced" -> ImbalancedExample.run(options.epochs(), options.batch());
            case "custom-loss" -> CustomLossExample.run(options.epochs(), options.batch());
            case "early-stopping" -> EarlyStoppingExample.run(options.epochs(), options.batch(),
                    EarlyStoppingExample.TRAIN_ROWS, Path.of(EarlyStoppingExample.PLOT));
            case "checkpoint" -> CheckpointResumeExample.run(options.epochs(), options.batch(),
                    CheckpointResumeExample.TRAIN_ROWS, options.seed(), Path.of(CheckpointResumeExample.DIRECTORY));
            case "streaming" -> StreamingExample.run(options.epochs(), options.batch(), StreamingExample.TRAIN_ROWS);
            case "fine-tune" -> FineTuneExample.run(options.epochs(), options.batch());
            default -> FashionMnistExample.run(options.epochs(), options.batch());
        };
        System.out.println(json(options, result));
    }

    static String json(DemoOptions options, ExampleResult r) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"model\":\"").append(options.model()).append('"');
        for (Map.Entry<String, Double> e : r.testScores().entrySet()) {
            sb.append(",\"test_").append(e.getKey()).append("\":").append(number(e.getValue()));
        }
        sb.append(",\"epochs\":").append(options.epochs());
        sb.append(",\"batch\":").append(options.batch());
        sb.append(",\"threads\":").append(Kiln.threads());
        sb.append(",\"train_seconds\":").append(number(r.trainSeconds()));
        sb.append(",\"samples_per_second\":").append(number(r.samplesPerSecond()));
        sb.append(",\"steady_samples_per_second\":").append(number(r.steadySamplesPerSecond()));
        for (Map.Entry<String, Object> e : new java.util.TreeMap<>(r.extras()).entrySet()) {
            Object v = e.getValue();
            sb.append(",\"").append(e.getKey()).append("\":")
                    .append(v instanceof Number n ? number(n.doubleValue()) : String.valueOf(v));
        }
        return sb.append('}').toString();
    }

    private static String number(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : "null";
    }
}
