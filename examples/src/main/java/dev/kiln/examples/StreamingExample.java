// What this teaches: how to train on data that does not fit in memory. The program writes a generated
// data set (200,000 rows of 64 features, four classes, 51 MB; pass more rows for more) as .npy files,
// then trains from the memory-mapped file: Dataset.fromNpy reads only the rows being batched, a shuffle
// buffer of 10,000 rows mixes them (seeded, so a run repeats), and a background thread prefetches the
// next batch while the model trains on this one. Validation streams from a second file, and a loop of
// trainOnBatch steps shows the one-batch API. The files are deleted at the end.
//
// Run it:  ./kiln demo --model streaming            (--epochs 3 and --batch 128 by default)
package dev.kiln.examples;

import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.validationData;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.History;
import dev.kiln.Model;
import dev.kiln.Sequential;
import dev.kiln.core.memory.Tensor;
import dev.kiln.data.Dataset;
import dev.kiln.data.DatasetPass;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/** Training from memory-mapped .npy files with a shuffle buffer and prefetching; then trainOnBatch. */
public final class StreamingExample {
    static final int TRAIN_ROWS = 200_000;
    static final int FEATURES = 64;
    static final int CLASSES = 4;

    private StreamingExample() {
    }

    public static void main(String[] args) {
        System.out.println(run(3, 128, TRAIN_ROWS).testScores());
    }

    static ExampleResult run(int epochs, int batch, int trainRows) {
        Path dir;
        try {
            dir = Files.createTempDirectory("kiln-streaming");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return train(epochs, batch, trainRows, dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            for (String name : new String[] {"x.npy", "y.npy", "x_val.npy", "y_val.npy"}) {
                dir.resolve(name).toFile().delete();
            }
            dir.toFile().delete();
        }
    }

    private static ExampleResult train(int epochs, int batch, int trainRows, Path dir) throws IOException {
        Random random = new Random(2026);
        float[] centres = new float[CLASSES * FEATURES];
        for (int i = 0; i < centres.length; i++) {
            centres[i] = (float) random.nextGaussian() * 0.35f;
        }
        write(dir.resolve("x.npy"), dir.resolve("y.npy"), trainRows, centres, random);
        write(dir.resolve("x_val.npy"), dir.resolve("y_val.npy"), trainRows / 10, centres, random);
        System.out.printf(Locale.ROOT, "wrote %,d training rows (%,d MB) and %,d validation rows as .npy%n", trainRows,
                Files.size(dir.resolve("x.npy")) >> 20, trainRows / 10);

        Dataset train = Dataset.fromNpy(dir.resolve("x.npy"), dir.resolve("y.npy")).shuffle(10_000, 7).batch(batch);
        Dataset val = Dataset.fromNpy(dir.resolve("x_val.npy"), dir.resolve("y_val.npy")).batch(1024);
        try (Model model = Sequential.of(Input(FEATURES), Dense(64, "relu"), Dense(CLASSES, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            long start = System.nanoTime();
            History history = model.fit(train, epochs(epochs), validationData(val), verbose(2));
            double seconds = (System.nanoTime() - start) / 1e9;
            Map<String, Double> scores = model.evaluate(val);
            System.out.printf(Locale.ROOT, "validation loss %.4f, accuracy %.4f%n", scores.get("loss"),
                    scores.get("accuracy"));

            // The same data, a batch at a time through one's own loop: no callbacks, no History.
            double last = Double.NaN;
            int steps = 0;
            try (DatasetPass pass = train.open(epochs)) {
                while (pass.next() && steps < 100) {
                    float[][] x = new float[pass.rows()][];
                    int[] y = new int[pass.rows()];
                    for (int r = 0; r < pass.rows(); r++) {
                        x[r] = Arrays.copyOfRange(pass.x(), r * FEATURES, (r + 1) * FEATURES);
                        y[r] = (int) pass.y()[r];
                    }
                    last = model.trainOnBatch(x, y).get("loss");
                    steps++;
                }
            }
            System.out.printf(Locale.ROOT, "%d more steps with trainOnBatch; the last batch's loss %.4f%n", steps, last);
            return new ExampleResult(scores, seconds, (long) trainRows * history.epoch().size(), trainRows,
                    history.trainingSeconds(), Map.of("train_on_batch_loss", last));
        }
    }

    /** Rows around one of the class centres, written through an off-heap tensor, not the Java heap. */
    private static void write(Path xFile, Path yFile, int rows, float[] centres, Random random) throws IOException {
        Tensor x = Tensor.zeros(rows, FEATURES);
        Tensor y = Tensor.zeros(rows);
        for (int i = 0; i < rows; i++) {
            int c = random.nextInt(CLASSES);
            y.set(i, c);
            for (int j = 0; j < FEATURES; j++) {
                x.set(i, j, centres[c * FEATURES + j] + (float) random.nextGaussian());
            }
        }
        x.toNpy(xFile);
        y.toNpy(yFile);
    }
}
