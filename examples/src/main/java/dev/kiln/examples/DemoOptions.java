package dev.kiln.examples;

import java.util.List;
import java.util.Locale;

/** The command line of {@code ./kiln demo}: --model, --epochs, --batch, --threads, --seed. */
record DemoOptions(String model, int epochs, int batch, int threads, long seed) {
    static final List<String> MODELS = List.of("fashion", "cnn", "keras", "xor", "regression", "binary", "imbalanced",
            "functional", "fine-tune", "early-stopping", "checkpoint", "streaming", "custom-loss");
    private static final List<String> FLAGS = List.of("--model", "--epochs", "--batch", "--threads", "--seed");

    static DemoOptions parse(String[] args) {
        CommandLine line = CommandLine.of(args, FLAGS);
        String model = line.string("--model", "fashion").toLowerCase(Locale.ROOT);
        int threads = line.positive("--threads", Runtime.getRuntime().availableProcessors());
        long seed = line.longValue("--seed", 42);
        if (!MODELS.contains(model)) {
            throw new UsageException("unknown model '" + model + "'; expected one of " + MODELS);
        }
        // Each example's own schedule unless the user chose one.
        int defaultEpochs = switch (model) {
            case "xor" -> 300;
            case "regression" -> 20;
            case "binary" -> 20;
            case "imbalanced" -> 10;
            case "custom-loss" -> 20;
            case "early-stopping" -> 100;
            case "checkpoint" -> 4;
            case "streaming" -> 3;
            case "keras" -> 1;
            case "fine-tune" -> 2;
            default -> 5;
        };
        int defaultBatch = switch (model) {
            case "xor" -> 4;
            case "regression" -> 32;
            case "binary" -> 32;
            case "imbalanced" -> 64;
            case "custom-loss" -> 64;
            case "early-stopping" -> 64;
            default -> 128;
        };
        return new DemoOptions(model, line.nonNegative("--epochs", defaultEpochs), line.positive("--batch", defaultBatch),
                threads, seed);
    }

    static String usage() {
        return """
                usage: ./kiln demo [--model NAME] [--epochs N] [--batch B] [--threads T] [--seed S]
                  fashion         784-128-10 MLP on Fashion-MNIST (relu, softmax, adam), 5 epochs of batch 128
                  cnn             Keras' simple convnet on Fashion-MNIST images [28, 28, 1]: Conv2D 32 3×3 relu,
                                  MaxPooling2D, Conv2D 64 3×3 relu, MaxPooling2D, Flatten, Dropout 0.5,
                                  Dense 10 softmax (adam), 5 epochs of batch 128
                  keras           a 784-64-10 MLP trained by Python Keras 3 (fashion_mlp.keras): loaded, scored on
                                  the test images as Keras scored it, trained on for 1 epoch from Keras' Adam
                                  state, saved as fashion_mlp_kiln.keras for keras.models.load_model
                  xor             2-8-1 network learning XOR (tanh, sigmoid, binary_crossentropy)
                  regression      linear-plus-noise target fitted with mse
                  binary          loan default from four generated tabular features: standardised inputs,
                                  sigmoid output, binary_crossentropy
                  imbalanced      rare fraud (~4%) in generated payments, trained without and with
                                  classWeight (balanced): recall, precision and accuracy of both
                  custom-loss     demand forecasts trained with mse and with an asymmetric loss written with
                                  Ops (a shortfall costs 3× a leftover); a custom metric, short_rate, for both
                  functional      Fashion-MNIST with Keras' functional API: a residual MLP (Add) and a model with
                                  two inputs (each image's top and bottom halves, joined by Concatenate),
                                  and one with two outputs (the class, and footwear or not)
                  early-stopping  a wide MLP overfitting 1,000 Fashion-MNIST images, stopped by EarlyStopping
                                  (val_loss, patience 2) with the best epoch's weights restored; --epochs is the cap
                  checkpoint      ModelCheckpoint writes a .kiln file per epoch; the run is "interrupted" after
                                  half the epochs, resumed from the checkpoint, and compared with an
                                  uninterrupted run of --epochs (default 4): the weights must be identical
                  streaming       200,000 generated rows written as .npy, trained from the memory-mapped file
                                  (Dataset.fromNpy, shuffle buffer 10,000, prefetch), validated from a second
                                  file, then 100 trainOnBatch steps; 3 epochs of batch 128
                  fine-tune       a Fashion-MNIST classifier's first layer, frozen, under a new footwear head;
                                  then unfrozen and fine-tuned at a smaller learning rate (--epochs per phase, 2)
                """;
    }
}
