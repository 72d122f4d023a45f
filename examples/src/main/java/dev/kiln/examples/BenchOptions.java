package dev.kiln.examples;

import java.util.ArrayList;
import java.util.List;

/** The command line of {@code ./kiln bench}: --batch, --threads, --epochs, --hidden, --seed. */
record BenchOptions(int batch, int threads, int epochs, List<Integer> hidden, long seed) {
    private static final List<String> FLAGS = List.of("--batch", "--threads", "--epochs", "--hidden", "--seed");

    BenchOptions {
        hidden = List.copyOf(hidden);
    }

    static BenchOptions parse(String[] args) {
        CommandLine line = CommandLine.of(args, FLAGS);
        return new BenchOptions(line.positive("--batch", 128),
                line.positive("--threads", Runtime.getRuntime().availableProcessors()),
                line.positive("--epochs", 5), hiddenSizes(line.string("--hidden", "128")), line.longValue("--seed", 42));
    }

    /** "256,128" → [256, 128]: the widths of the hidden relu layers, input side first. */
    static List<Integer> hiddenSizes(String value) {
        List<Integer> sizes = new ArrayList<>();
        for (String part : value.split(",", -1)) {
            if (part.isBlank()) {
                throw new UsageException("--hidden needs comma-separated layer widths such as 128 or 256,128, got '"
                        + value + "'");
            }
            sizes.add(CommandLine.wholeNumber("--hidden", part.strip(), 1));
        }
        return sizes;
    }

    static String usage() {
        return """
                usage: ./kiln bench [--batch B] [--threads T] [--epochs N] [--hidden 128|256,128] [--seed S]
                  Trains an MLP 784-<hidden...>-10 (relu, softmax, adam, sparse_categorical_crossentropy) on
                  all 60,000 Fashion-MNIST training images, then predicts the 10,000 test images, and prints
                  one JSON line of training and inference samples/s, GFLOP/s and test accuracy.
                  Training speed is the median epoch after the first (the first includes JIT warm-up).
                  Defaults: batch 128, threads = available processors, 5 epochs, hidden 128, seed 42.
                """;
    }
}
