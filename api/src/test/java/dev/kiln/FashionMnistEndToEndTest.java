package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The MVP's promise: 784-128-10 with Adam, 2 epochs of batch 128, reaches at least 0.82 test accuracy
 * (PyTorch reaches 0.837 on that schedule). Needs Fashion-MNIST, which ./kiln test and CI install.
 */
class FashionMnistEndToEndTest {
    @Test
    void twoEpochsReachAtLeast82PercentTestAccuracy() {
        Kiln.setSeed(42);
        Datasets.Split data = Datasets.fashionMnist();
        try (Model model = Sequential.of(Dense(128, "relu"), Dense(10, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            History h = model.fit(data.xTrain(), data.yTrain(), epochs(2), batchSize(128), verbose(0));
            Map<String, Double> scores = model.evaluate(data.xTest(), data.yTest());
            assertTrue(h.history().get("loss").get(1) < h.history().get("loss").get(0), "loss must fall: " + h);
            assertTrue(scores.get("accuracy") >= 0.82, "test accuracy " + scores);
        }
    }
}
