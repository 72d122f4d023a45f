// What this teaches: models that are graphs rather than stacks, Keras' functional API. Layers are
// applied to the outputs of other layers, so one output can feed two layers and merge layers can join
// branches. Two models learn Fashion-MNIST:
//   1. a residual MLP: h = Dense(128, relu)(image); the next Dense's output is added back to h
//      (Add), the shortcut deep networks are built from;
//   2. a model with two inputs: the top and the bottom half of each image, each read by a Dense
//      branch of its own, joined by Concatenate before the softmax, as an image and a table of
//      numbers would be;
//   3. a model with two outputs: from one hidden layer, the garment's class (softmax) and whether it
//      is footwear (sigmoid), each with a loss of its own and the second weighted 0.5 (OutputLosses).
// Each prints its layer graph (summary's "Connected to" column) and its test scores.
//
// Run it:  ./kiln demo --model functional
package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationSplit;
import static dev.kiln.Layers.Add;
import static dev.kiln.Layers.Concatenate;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.Datasets;
import dev.kiln.History;
import dev.kiln.Model;
import dev.kiln.OutputLosses;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.SymbolicTensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A residual MLP, a two-input and a two-output model on Fashion-MNIST, built with Model.of(inputs, outputs). */
public final class FunctionalExample {
    /** Pixels in the top half of a 28×28 image (14 rows); the bottom half holds the rest. */
    static final int HALF = 14 * 28;

    private FunctionalExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(5, 128).testScores());
    }

    static Model residualMlp() {
        InputLayer image = Input(784);
        SymbolicTensor h = Dense(128, "relu").apply(image);
        SymbolicTensor deeper = Dense(128, "relu").apply(h);
        SymbolicTensor out = Dense(10, "softmax").apply(Add().apply(h, deeper));
        return Model.of(image, out).compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    static Model twoHalves() {
        InputLayer top = Input(HALF);
        InputLayer bottom = Input(784 - HALF);
        SymbolicTensor joined = Concatenate().apply(Dense(64, "relu").apply(top), Dense(64, "relu").apply(bottom));
        SymbolicTensor out = Dense(10, "softmax").apply(Dense(64, "relu").apply(joined));
        return Model.of(List.of(top, bottom), out).compile("adam", "sparse_categorical_crossentropy", "accuracy");
    }

    /** One input, two outputs: the garment's class, and whether it is footwear. */
    static Model kindAndFootwear() {
        InputLayer image = Input(784);
        SymbolicTensor h = Dense(128, "relu").apply(image);
        SymbolicTensor kind = Dense(10, "softmax").named("kind").apply(h);
        SymbolicTensor footwear = Dense(1, "sigmoid").named("footwear").apply(h);
        return Model.of(image, List.of(kind, footwear)).compile("adam",
                OutputLosses.of("sparse_categorical_crossentropy", "binary_crossentropy").weights(1.0, 0.5)
                        .metrics(List.of("accuracy"), List.of("accuracy")));
    }

    /** 1 for a sandal (5), sneaker (7) or ankle boot (9), else 0: the second output's targets. */
    static float[][] footwear(int[] labels) {
        float[][] out = new float[labels.length][1];
        for (int i = 0; i < labels.length; i++) {
            out[i][0] = labels[i] == 5 || labels[i] == 7 || labels[i] == 9 ? 1 : 0;
        }
        return out;
    }

    /** Rows [from, to) of every image: one input's part of each example. */
    static float[][] columns(float[][] images, int from, int to) {
        float[][] part = new float[images.length][];
        for (int i = 0; i < images.length; i++) {
            part[i] = Arrays.copyOfRange(images[i], from, to);
        }
        return part;
    }

    static ExampleResult run(int epochCount, int batch) {
        Datasets.Split data = Datasets.fashionMnist();
        Map<String, Double> scores = new LinkedHashMap<>();
        double seconds;
        History residualHistory;
        try (Model model = residualMlp()) {
            model.summary();
            long start = System.nanoTime();
            residualHistory = model.fit(data.xTrain(), data.yTrain(), epochs(epochCount), batchSize(batch),
                    validationSplit(0.1));
            seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> s = model.evaluate(data.xTest(), data.yTest());
            System.out.printf("residual MLP: test loss %.4f, test accuracy %.4f%n", s.get("loss"), s.get("accuracy"));
            scores.put("loss", s.get("loss"));
            scores.put("accuracy", s.get("accuracy"));
        }
        try (Model model = twoHalves()) {
            model.summary();
            List<float[][]> train = List.of(columns(data.xTrain(), 0, HALF), columns(data.xTrain(), HALF, 784));
            model.fit(train, data.yTrain(), epochs(epochCount), batchSize(batch), validationSplit(0.1));
            List<float[][]> test = List.of(columns(data.xTest(), 0, HALF), columns(data.xTest(), HALF, 784));
            Map<String, Double> s = model.evaluate(test, data.yTest());
            System.out.printf("two inputs (top and bottom halves): test loss %.4f, test accuracy %.4f%n", s.get("loss"),
                    s.get("accuracy"));
            scores.put("two_input_loss", s.get("loss"));
            scores.put("two_input_accuracy", s.get("accuracy"));
        }
        try (Model model = kindAndFootwear()) {
            model.summary();
            model.fit(data.xTrain(), List.of(data.yTrain(), footwear(data.yTrain())), epochs(epochCount),
                    batchSize(batch), validationSplit(0.1));
            Map<String, Double> s = model.evaluate(data.xTest(), List.of(data.yTest(), footwear(data.yTest())));
            System.out.printf("two outputs: test loss %.4f, kind accuracy %.4f, footwear accuracy %.4f%n",
                    s.get("loss"), s.get("kind_accuracy"), s.get("footwear_accuracy"));
            scores.put("kind_accuracy", s.get("kind_accuracy"));
            scores.put("footwear_accuracy", s.get("footwear_accuracy"));
        }
        int perEpoch = (int) Math.floor(data.xTrain().length * 0.9);
        return new ExampleResult(scores, seconds, (long) perEpoch * residualHistory.epoch().size(), perEpoch,
                residualHistory.trainingSeconds());
    }
}
