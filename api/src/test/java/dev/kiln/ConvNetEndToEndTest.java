package dev.kiln;

import static dev.kiln.FitOption.batchSize;
import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Keras' simple convnet on real Fashion-MNIST images, kept short for the test budget: two epochs over the
 * first 12,000 training images, scored on the first 2,000 test images. ({@code ./kiln demo --model cnn} is
 * the full run.)
 */
class ConvNetEndToEndTest {
    @Test
    void theSimpleConvnetLearnsFashionMnistImages() {
        Kiln.setSeed(42);
        Datasets.Split all = Datasets.fashionMnist();
        Datasets.ImageSplit data = new Datasets.Split(Arrays.copyOf(all.xTrain(), 12000), Arrays.copyOf(all.yTrain(), 12000),
                Arrays.copyOf(all.xTest(), 2000), Arrays.copyOf(all.yTest(), 2000)).asImages(28, 28, 1);
        try (Model model = ConvNetTest.simpleConvnet().compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            History h = model.fit(data.xTrain(), data.yTrain(), epochs(2), batchSize(128), verbose(0));
            Map<String, Double> scores = model.evaluate(data.xTest(), data.yTest());
            assertTrue(h.history().get("loss").get(1) < h.history().get("loss").get(0), "loss must fall: " + h);
            // An untrained model scores 0.10; the MLP of FashionMnistEndToEndTest needs the whole set for 0.82.
            assertTrue(scores.get("accuracy") >= 0.77, "test accuracy " + scores);
        }
    }
}
