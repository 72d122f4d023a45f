package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;

import dev.kiln.Datasets;
import dev.kiln.FitOption;
import dev.kiln.History;
import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.core.memory.Shape;
import dev.kiln.layers.Conv2DLayer;
import dev.kiln.layers.DenseLayer;
import dev.kiln.layers.DropoutLayer;
import dev.kiln.layers.FlattenLayer;
import dev.kiln.layers.InputLayer;
import dev.kiln.layers.Layer;
import dev.kiln.layers.MaxPooling2DLayer;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@code ./kiln bench}: end-to-end training and inference speed on Fashion-MNIST, measured the way
 * the PyTorch peer ({@code ../shared/peers/torch-peer}) measures itself, so the two compare as a ratio.
 *
 * <pre>{@code
 * ./kiln bench                                   # 784-128-10, batch 128, all cores, 5 epochs
 * ./kiln bench --threads 2 --batch 32 --hidden 256,128
 * ./kiln bench --model cnn                       # Keras' simple convnet on 28x28x1 images
 * }</pre>
 *
 * <p>The protocol, item by item against the peer's:
 * <ul>
 * <li>Training runs on all 60,000 images with no validation split (the peer has none), reshuffled
 *     every epoch. An epoch's time covers the shuffle, gathering each batch into the input buffer,
 *     forward, loss, backward and the Adam step: {@link History#trainingSeconds()}, as the peer's
 *     epoch loop. Loading and decoding the files is outside both.
 * <li>Training speed is 60,000 / the median epoch time over epochs 2..N (epoch 1 alone when N = 1),
 *     as the peer. What a user waits for is reported beside it: the first epoch, the whole {@code fit}
 *     (from the call to its return) and the time from the JVM's start to the end of fit (the peers
 *     count from the interpreter's start, imports included). Kiln's first epoch pays for the JIT.
 * <li>Inference predicts the 10,000 test images in batches of 1024 (Kiln's {@code predict} batch, the
 *     peer's slice) and takes each row's arg-max, {@value #PREDICT_PASSES} times, every pass timed and
 *     reported: the first pass is what a user waits for once, the median of the last
 *     {@value #STEADY_PASSES} the steady speed. Differences: Kiln's {@code predict} applies the softmax and
 *     copies the probabilities into a new {@code float[10000][10]} (the Keras API returns them), where the
 *     peer takes the arg-max of the logits inside {@code torch.inference_mode()}; both cost little next to
 *     the matrix products.
 * <li>Test accuracy is the share of those arg-maxes equal to the label, as the peer computes it.
 * <li>The model is the peer's: Dense(h, relu) per hidden width, then 10 outputs; Adam at 1e-3.
 *     Kiln's last layer has the softmax and the loss is sparse_categorical_crossentropy, which the
 *     compiler fuses into one softmax-cross-entropy step: the peer's CrossEntropyLoss on logits.
 *     Initialisation differs (Glorot uniform and zero biases, as Keras; PyTorch's Kaiming-uniform),
 *     so accuracies agree within noise, not exactly.
 * <li>With {@code --model cnn}, the model is {@link ConvNetExample#model()}, Keras' simple MNIST convnet, as
 *     the peers' {@code --model cnn}; it trains on the same images as tensors of shape (N, 28, 28, 1), and
 *     everything else above is unchanged. Its FLOPs are counted from the layers' geometry
 *     ({@link TrainingFlops#perSample(List, Shape)}).
 * </ul>
 */
public final class TrainingBench {
    static final int INPUTS = 784;
    static final int IMAGE_HEIGHT = 28;
    static final int IMAGE_WIDTH = 28;
    static final int CLASSES = 10;
    /** Every predict pass is timed: the first is the cold one, the last five give the steady speed. */
    static final int PREDICT_PASSES = 10;
    static final int STEADY_PASSES = 5;

    private TrainingBench() {
    }

    public static void main(String[] args) {
        BenchOptions options = CommandLine.parseOrExit("bench", args, BenchOptions::parse, BenchOptions.usage());
        Kiln.setSeed(options.seed());
        Kiln.setThreads(options.threads());
        Sequential spec = options.isConvNet() ? ConvNetExample.model() : Sequential.of(layers(options.hidden()));
        String described = options.isConvNet() ? "convnet " + describe(spec.layers()) : "MLP " + architecture(options.hidden());
        System.out.printf(Locale.ROOT, "kiln %s, Java %s, %d threads, batch %d, %d epochs, %s%n", Kiln.VERSION,
                Runtime.version(), Kiln.threads(), options.batch(), options.epochs(), described);

        long loadStart = System.nanoTime();
        Datasets.Split split = Datasets.fashionMnist();
        // The convnet takes the same pixels as images; the MLP keeps its flat rows, as it always had.
        Data data = options.isConvNet() ? new Images(split.asImages(IMAGE_HEIGHT, IMAGE_WIDTH, 1)) : new Rows(split);
        System.out.printf(Locale.ROOT, "data load %.2fs: %d training and %d test images%n",
                (System.nanoTime() - loadStart) / 1e9, split.xTrain().length, split.xTest().length);
        long flopsPerSample = options.isConvNet() ? TrainingFlops.perSample(spec.layers(),
                Shape.of(IMAGE_HEIGHT, IMAGE_WIDTH, 1))
                : TrainingFlops.perSample(INPUTS, options.hidden(), CLASSES);

        try (Model model = spec.compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            // verbose 2 prints one line per epoch after its time is taken, as Keras' verbose=2.
            long fitStart = System.nanoTime();
            History history = data.fit(model, epochs(options.epochs()), batchSize(options.batch()), verbose(2));
            double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
            double processSeconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;

            List<Double> predictSeconds = new ArrayList<>();
            double accuracy = Double.NaN;
            for (int pass = 0; pass < PREDICT_PASSES; pass++) {
                long start = System.nanoTime();
                int[] predicted = argmaxRows(data.predictTest(model));
                predictSeconds.add((System.nanoTime() - start) / 1e9);
                accuracy = accuracy(predicted, split.yTest());
            }
            Map<String, Double> scores = data.evaluateTest(model);

            BenchResult result = new BenchResult(options, Kiln.threads(), split.xTrain().length,
                    history.trainingSeconds(), fitSeconds, processSeconds, split.xTest().length, predictSeconds,
                    STEADY_PASSES, accuracy, scores.get("loss"), flopsPerSample);
            System.out.print(result.summary());
            System.out.println(result.json());
        }
    }

    /**
     * The data in the form the bench's model takes: {@code fit}, {@code predict} and {@code evaluate}
     * are overloaded on {@code float[][]} and {@code Tensor}, so each form picks its own at compile time.
     */
    private sealed interface Data permits Rows, Images {
        History fit(Model model, FitOption... options);

        float[][] predictTest(Model model);

        Map<String, Double> evaluateTest(Model model);
    }

    /** The MLP's flat rows of 784 values. */
    private record Rows(Datasets.Split split) implements Data {
        @Override
        public History fit(Model model, FitOption... options) {
            return model.fit(split.xTrain(), split.yTrain(), options);
        }

        @Override
        public float[][] predictTest(Model model) {
            return model.predict(split.xTest());
        }

        @Override
        public Map<String, Double> evaluateTest(Model model) {
            return model.evaluate(split.xTest(), split.yTest());
        }
    }

    /** The convnet's images, tensors of shape (N, 28, 28, 1). */
    private record Images(Datasets.ImageSplit split) implements Data {
        @Override
        public History fit(Model model, FitOption... options) {
            return model.fit(split.xTrain(), split.yTrain(), options);
        }

        @Override
        public float[][] predictTest(Model model) {
            return model.predict(split.xTest());
        }

        @Override
        public Map<String, Double> evaluateTest(Model model) {
            return model.evaluate(split.xTest(), split.yTest());
        }
    }

    static String architecture(List<Integer> hidden) {
        StringBuilder sb = new StringBuilder().append(INPUTS);
        hidden.forEach(h -> sb.append('-').append(h));
        return sb.append('-').append(CLASSES).toString();
    }

    /**
     * A convnet's layers in one short token each, read off the model itself so the header cannot drift
     * from what runs: the input's shape, c32 for Conv2D(32), p for pooling, d10 for Dense(10); Flatten
     * and Dropout change no weights and are left out. Keras' simple convnet: 28x28x1-c32-p-c64-p-d10.
     */
    static String describe(List<Layer> layers) {
        List<String> tokens = new ArrayList<>();
        for (Layer layer : layers) {
            switch (layer) {
                case InputLayer input -> tokens.add(input.shape().stream().map(String::valueOf)
                        .collect(Collectors.joining("x")));
                case Conv2DLayer conv -> tokens.add("c" + conv.filters());
                case MaxPooling2DLayer pool -> tokens.add("p");
                case DenseLayer dense -> tokens.add("d" + dense.units());
                case FlattenLayer flatten -> { }
                case DropoutLayer dropout -> { }
                default -> tokens.add(layer.baseName());
            }
        }
        return String.join("-", tokens);
    }

    private static Layer[] layers(List<Integer> hidden) {
        List<Layer> layers = new ArrayList<>();
        for (int width : hidden) {
            layers.add(Dense(width, "relu"));
        }
        layers.add(Dense(CLASSES, "softmax"));
        return layers.toArray(Layer[]::new);
    }

    /** The index of each row's largest value (the first one on ties, as torch.argmax). */
    static int[] argmaxRows(float[][] rows) {
        int[] out = new int[rows.length];
        for (int r = 0; r < rows.length; r++) {
            float[] row = rows[r];
            int best = 0;
            for (int c = 1; c < row.length; c++) {
                if (row[c] > row[best]) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }

    static double accuracy(int[] predicted, int[] labels) {
        int right = 0;
        for (int i = 0; i < labels.length; i++) {
            if (predicted[i] == labels[i]) {
                right++;
            }
        }
        return (double) right / labels.length;
    }
}
