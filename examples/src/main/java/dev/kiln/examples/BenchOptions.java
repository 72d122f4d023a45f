package dev.kiln.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The command line of {@code ./kiln bench}: --model, --batch, --threads, --epochs, --hidden, --seed.
 * {@code hidden} is empty for the convnet, whose layers are fixed.
 */
record BenchOptions(String model, int batch, int threads, int epochs, List<Integer> hidden, long seed) {
    static final String MLP = "mlp";
    static final String CNN = "cnn";
    static final List<String> MODELS = List.of(MLP, CNN);
    private static final List<String> FLAGS = List.of("--model", "--batch", "--threads", "--epochs", "--hidden", "--seed");

    BenchOptions {
        hidden = List.copyOf(hidden);
    }

    static BenchOptions parse(String[] args) {
        CommandLine line = CommandLine.of(args, FLAGS);
        String model = line.string("--model", MLP).toLowerCase(Locale.ROOT);
        if (!MODELS.contains(model)) {
            throw new UsageException("--model must be one of " + MODELS + ", got '" + model + "'");
        }
        // Silently ignoring the widths would let a user believe they had changed the convnet.
        if (model.equals(CNN) && line.has("--hidden")) {
            throw new UsageException("--hidden sets the MLP's hidden widths; the cnn model's layers are fixed,"
                    + " so drop --hidden or use --model mlp");
        }
        List<Integer> hidden = model.equals(CNN) ? List.of() : hiddenSizes(line.string("--hidden", "128"));
        return new BenchOptions(model, line.positive("--batch", 128),
                line.positive("--threads", Runtime.getRuntime().availableProcessors()),
                line.positive("--epochs", 5), hidden, line.longValue("--seed", 42));
    }

    boolean isConvNet() {
        return model.equals(CNN);
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
                usage: ./kiln bench [--model mlp|cnn] [--batch B] [--threads T] [--epochs N] [--hidden 128|256,128]
                                    [--seed S]
                  Trains a model on all 60,000 Fashion-MNIST training images, then predicts the 10,000 test
                  images, and prints one JSON line of training and inference samples/s, GFLOP/s and test
                  accuracy. Training speed is the median epoch after the first (the first includes JIT warm-up).
                  --model mlp  an MLP 784-<hidden...>-10 (relu, softmax) on flat rows of 784 (the default)
                  --model cnn  Keras' simple convnet on images [28, 28, 1]: Conv2D 32 3×3 relu, MaxPooling2D,
                               Conv2D 64 3×3 relu, MaxPooling2D, Flatten, Dropout 0.5, Dense 10 softmax;
                               its layers are fixed, so --hidden is refused
                  Both: adam 1e-3, sparse_categorical_crossentropy.
                  Defaults: model mlp, batch 128, threads = available processors, 5 epochs, hidden 128, seed 42.
                """;
    }
}
