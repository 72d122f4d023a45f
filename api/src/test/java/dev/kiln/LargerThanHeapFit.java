package dev.kiln;

import static dev.kiln.FitOption.epochs;
import static dev.kiln.FitOption.verbose;
import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import dev.kiln.data.Dataset;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * Run by {@link LargerThanHeapTest} in a JVM with a small heap: trains one epoch on a memory-mapped
 * {@code .npy} pair several times larger than that heap, and prints the heap's size and the loss on a
 * held-out set before and after.
 */
public final class LargerThanHeapFit {
    private LargerThanHeapFit() {
    }

    public static void main(String[] args) throws Exception {
        Path x = Path.of(args[0]);
        Path y = Path.of(args[1]);
        int width = Integer.parseInt(args[2]);
        float[][] heldX = new float[512][width];
        int[] heldY = new int[512];
        Random random = new Random(99);
        for (int i = 0; i < heldX.length; i++) {
            heldY[i] = LargerThanHeapTest.row(random, heldX[i]);
        }
        Kiln.setSeed(1);
        try (Model model = Sequential.of(Input(width), Dense(16, "relu"), Dense(2, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            Map<String, Double> before = model.evaluate(heldX, heldY);
            model.fit(Dataset.fromNpy(x, y).shuffle(2048, 3).batch(256), epochs(1), verbose(0));
            Map<String, Double> after = model.evaluate(heldX, heldY);
            System.out.println("maxHeap " + Runtime.getRuntime().maxMemory());
            System.out.println("iterations " + model.iterations());
            System.out.println("lossBefore " + before.get("loss"));
            System.out.println("lossAfter " + after.get("loss"));
        }
    }
}
