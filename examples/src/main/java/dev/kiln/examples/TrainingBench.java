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
import java.lang.management.ManagementFactory;
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
 * </ul>
 */
public final class TrainingBench {
    static final int INPUTS = 784;
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
        System.out.printf(Locale.ROOT, "kiln %s, Java %s, %d threads, batch %d, %d epochs, MLP %s%n", Kiln.VERSION,
                Runtime.version(), Kiln.threads(), options.batch(), options.epochs(), architecture(options.hidden()));

        long loadStart = System.nanoTime();
        Datasets.Split data = Datasets.fashionMnist();
        System.out.printf(Locale.ROOT, "data load %.2fs: %d training and %d test images%n",
                (System.nanoTime() - loadStart) / 1e9, data.xTrain().length, data.xTest().length);

        try (Model model = Sequential.of(layers(options.hidden()))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            // verbose 2 prints one line per epoch after its time is taken, as Keras' verbose=2.
            long fitStart = System.nanoTime();
            History history = model.fit(data.xTrain(), data.yTrain(), epochs(options.epochs()),
                    batchSize(options.batch()), verbose(2));
            double fitSeconds = (System.nanoTime() - fitStart) / 1e9;
            double processSeconds = ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;

            List<Double> predictSeconds = new ArrayList<>();
            double accuracy = Double.NaN;
            for (int pass = 0; pass < PREDICT_PASSES; pass++) {
                long start = System.nanoTime();
                int[] predicted = argmaxRows(model.predict(data.xTest()));
                predictSeconds.add((System.nanoTime() - start) / 1e9);
                accuracy = accuracy(predicted, data.yTest());
            }
            Map<String, Double> scores = model.evaluate(data.xTest(), data.yTest());

            BenchResult result = new BenchResult(options, Kiln.threads(), data.xTrain().length,
                    history.trainingSeconds(), fitSeconds, processSeconds, data.xTest().length, predictSeconds,
                    STEADY_PASSES, accuracy, scores.get("loss"), TrainingFlops.perSample(INPUTS, options.hidden(), CLASSES));
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
