package dev.kiln.examples;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;

import dev.kiln.Datasets;
import dev.kiln.History;
import dev.kiln.Kiln;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.layers.Layer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./kiln bench}: end-to-end training and inference speed on Fashion-MNIST, measured the way
 * the PyTorch peer ({@code ../shared/peers/torch-peer}) measures itself, so the two compare as a ratio.
 *
 * <pre>{@code
 * ./kiln bench                                   # 784-128-10, batch 128, all cores, 5 epochs
 * ./kiln bench --threads 2 --batch 32 --hidden 256,128
 * }</pre>
 *
 * <p>The protocol, item by item against the peer's:
 * <ul>
 * <li>Training runs on all 60,000 images with no validation split (the peer has none), reshuffled
 *     every epoch. An epoch's time covers the shuffle, gathering each batch into the input buffer,
 *     forward, loss, backward and the Adam step: {@link History#trainingSeconds()}, as the peer's
 *     epoch loop. Loading and decoding the files is outside both.
 * <li>Training speed is 60,000 / the median epoch time over epochs 2..N (epoch 1 alone when N = 1),
 *     as the peer. Kiln's first epoch also pays for the JIT compiling the kernels.
 * <li>Inference predicts the 10,000 test images in batches of 1024 (Kiln's {@code predict} batch, the
 *     peer's slice) and takes each row's arg-max; untimed warm-up passes (20, printed; the peer's one
 *     suffices for code that needs no JIT), then the median of 5 timed passes. Differences: Kiln's {@code predict} applies the softmax and copies the
 *     probabilities into a new {@code float[10000][10]} (the Keras API returns them), where the peer
 *     takes the arg-max of the logits inside {@code torch.inference_mode()}; both cost little next to
 *     the matrix products.
 * <li>Test accuracy is the share of those arg-maxes equal to the label, as the peer computes it.
 * <li>The model is the peer's: Dense(h, relu) per hidden width, then 10 outputs; Adam at 1e-3.
 *     Kiln's last layer has the softmax and the loss is sparse_categorical_crossentropy, which the
 *     compiler fuses into one softmax-cross-entropy step: the peer's CrossEntropyLoss on logits.
 *     Initialisation differs (Glorot uniform and zero biases, as Keras; PyTorch's Kaiming-uniform),
 *     so accuracies agree within noise, not exactly.
 * </ul>
 */
public final class TrainingBench {
    static final int INPUTS = 784;
    static final int CLASSES = 10;
    /**
     * The peer warms up once (PyTorch has no JIT). Kiln's predict reaches kernels that training never
     * runs (the cache-blocked GEMM of 1024-row batches, the output softmax), and C2 compiles them over
     * its first 10-20 passes: 20 untimed passes, so the timed ones measure the compiled code, and their
     * times are printed so the cold start stays visible.
     */
    private static final int INFERENCE_WARMUPS = 20;
    private static final int INFERENCE_REPEATS = 5;

    private TrainingBench() {
    }

    public static void main(String[] args) {
        BenchOptions options = CommandLine.parseOrExit("bench", args, BenchOptions::parse, BenchOptions.usage());
        Kiln.setSeed(options.seed());
        Kiln.setThreads(options.threads());
        System.out.printf(Locale.ROOT, "kiln %s, Java %s, %d threads, batch %d, %d epochs, MLP %s%n", Kiln.VERSION,
                Runtime.version(), Kiln.threads(), options.batch(), options.epochs(), architecture(options.hidden()));

        long loadStart = System.nanoTime();
        Datasets.Split data = Datasets.fashionMnist();
        System.out.printf(Locale.ROOT, "data load %.2fs: %d training and %d test images%n",
                (System.nanoTime() - loadStart) / 1e9, data.xTrain().length, data.xTest().length);

        try (Model model = Sequential.of(layers(options.hidden()))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            // verbose 2 prints one line per epoch after its time is taken, as Keras' verbose=2.
            History history = model.fit(data.xTrain(), data.yTrain(), epochs(options.epochs()),
                    batchSize(options.batch()), verbose(2));
            List<Double> epochSeconds = history.trainingSeconds();

            List<Double> inferenceSeconds = new ArrayList<>();
            StringBuilder warmups = new StringBuilder();
            double accuracy = Double.NaN;
            for (int pass = 0; pass < INFERENCE_WARMUPS + INFERENCE_REPEATS; pass++) {
                long start = System.nanoTime();
                int[] predicted = argmaxRows(model.predict(data.xTest()));
                double seconds = (System.nanoTime() - start) / 1e9;
                if (pass >= INFERENCE_WARMUPS) {
                    inferenceSeconds.add(seconds);
                } else {
                    warmups.append(warmups.isEmpty() ? "" : ", ").append(String.format(Locale.ROOT, "%.1f", seconds * 1e3));
                }
                accuracy = accuracy(predicted, data.yTest());
            }
            System.out.println("inference warm-up passes (untimed, while the JIT compiles predict's kernels), ms: "
                    + warmups);
            Map<String, Double> scores = model.evaluate(data.xTest(), data.yTest());

            BenchResult result = new BenchResult(options, Kiln.threads(), data.xTrain().length, epochSeconds,
                    data.xTest().length, inferenceSeconds, accuracy, scores.get("loss"),
                    TrainingFlops.perSample(INPUTS, options.hidden(), CLASSES));
            System.out.print(result.summary());
            System.out.println(result.json());
        }
    }

    static String architecture(List<Integer> hidden) {
        StringBuilder sb = new StringBuilder().append(INPUTS);
        hidden.forEach(h -> sb.append('-').append(h));
        return sb.append('-').append(CLASSES).toString();
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
