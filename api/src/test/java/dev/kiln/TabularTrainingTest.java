package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static dev.kiln.data.CsvOption.labelColumn;
import static dev.kiln.data.CsvOption.regression;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.core.memory.Tensor;
import dev.kiln.data.TabularData;
import dev.kiln.optimizers.Adam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Datasets.csv and Tensor.fromNpy return goes straight into fit, as the docs show. */
class TabularTrainingTest {
    @TempDir
    Path dir;

    @Test
    void aClassifierTrainsOnCsvWithNamedClasses() throws IOException {
        // Two well separated blobs, labelled by name in the middle column.
        Random random = new Random(3);
        StringBuilder csv = new StringBuilder("x1,kind,x2\n");
        for (int i = 0; i < 200; i++) {
            boolean high = i % 2 == 0;
            double c = high ? 2 : -2;
            csv.append(String.format(Locale.ROOT, "%.4f,%s,%.4f%n", c + random.nextGaussian() * 0.5,
                    high ? "high" : "low", c + random.nextGaussian() * 0.5));
        }
        TabularData data = Datasets.csv(Files.writeString(dir.resolve("blobs.csv"), csv), labelColumn("kind"));
        assertEquals(List.of("high", "low"), data.classNames());
        try (Model model = Sequential.of(Input(2), Dense(2, "softmax"))
                .compile(new Adam(0.05), "sparse_categorical_crossentropy", "accuracy")) {
            model.fit(data.x(), data.y(), epochs(20), batchSize(16), verbose(0));
            Map<String, Double> scores = model.evaluate(data.x(), data.y());
            assertTrue(scores.get("accuracy") > 0.95, scores.toString());
        }
    }

    @Test
    void aRegressionTrainsOnCsvTargetsAndNpyFeatures() throws IOException {
        // y = 3·a − 2·b + 1, written as CSV; the same features also round-trip through .npy.
        Random random = new Random(5);
        StringBuilder csv = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 256; i++) {
            double a = random.nextDouble() * 2 - 1;
            double b = random.nextDouble() * 2 - 1;
            csv.append(String.format(Locale.ROOT, "%.5f,%.5f,%.5f%n", a, b, 3 * a - 2 * b + 1));
        }
        TabularData data = Datasets.csv(Files.writeString(dir.resolve("linear.csv"), csv), regression());
        Path npy = dir.resolve("x.npy");
        Tensor.of(data.x()).toNpy(npy);
        Tensor x = Tensor.fromNpy(npy);
        assertArrayEquals(new int[] {256, 2}, x.shape());
        try (Model model = Sequential.of(Input(2), Dense(1)).compile(new Adam(0.05), "mse")) {
            model.fit(x, data.targets(), epochs(100), batchSize(32), verbose(0));
            double mse = model.evaluate(x, data.targets()).get("loss");
            assertTrue(mse < 0.01, "mse " + mse);
        }
    }
}
