package dev.kiln;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.testing.Prerequisite;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST files, where this machine has them (./kiln test and CI install them; under
 * CI=true their absence fails).
 */
class FashionMnistFilesTest {
    @Test
    void realFilesHaveTheShapesAndRangesOfFashionMnist() {
        Prerequisite.require(Files.isDirectory(Datasets.SYSTEM_FASHION_MNIST), "no " + Datasets.SYSTEM_FASHION_MNIST);
        Datasets.Split data = Datasets.fashionMnist(Datasets.SYSTEM_FASHION_MNIST);
        assertEquals(60_000, data.xTrain().length);
        assertEquals(10_000, data.xTest().length);
        checkImages(data.xTrain());
        checkImages(data.xTest());
        // Fashion-MNIST is balanced: 6000 training and 1000 test images of each of the 10 classes.
        assertEquals(6_000, checkLabelsAndCount(data.yTrain()));
        assertEquals(1_000, checkLabelsAndCount(data.yTest()));
    }

    private static void checkImages(float[][] images) {
        for (int i = 0; i < images.length; i++) {
            assertEquals(784, images[i].length, "width of image " + i);
            for (float v : images[i]) {
                assertTrue(v >= 0f && v <= 1f, "pixel " + v + " of image " + i);
            }
        }
    }

    /** Checks every label is a class index and returns the one count every class has. */
    private static int checkLabelsAndCount(int[] labels) {
        int[] perClass = new int[10];
        for (int label : labels) {
            assertTrue(label >= 0 && label <= 9, "label " + label);
            perClass[label]++;
        }
        for (int c = 1; c < 10; c++) {
            assertEquals(perClass[0], perClass[c], "images of class " + c + " vs class 0");
        }
        return perClass[0];
    }
}
