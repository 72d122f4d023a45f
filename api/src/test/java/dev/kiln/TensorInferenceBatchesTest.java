package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.core.memory.Tensor;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * predict and evaluate load a Tensor's rows a whole batch at a time (its rows are consecutive in
 * memory) and an array's row by row; both must give the same rows back, across batch boundaries and
 * for a short last batch.
 */
class TensorInferenceBatchesTest {
    @Test
    void tensorRowsPredictAndEvaluateAsTheArrayRows() {
        int rows = 2 * 1024 + 453; // two full inference batches and a short one
        Random r = new Random(11);
        float[][] x = new float[rows][13];
        for (float[] row : x) {
            for (int j = 0; j < row.length; j++) {
                row[j] = (float) r.nextGaussian();
            }
        }
        int[] y = r.ints(rows, 0, 4).toArray();
        Kiln.setSeed(3);
        try (Model model = Sequential.of(Input(13), Dense(9, "relu"), Dense(4, "softmax"))
                .compile("adam", "sparse_categorical_crossentropy", "accuracy")) {
            Tensor tx = Tensor.of(x);
            float[][] fromArray = model.predict(x);
            float[][] fromTensor = model.predict(tx);
            for (int i = 0; i < rows; i++) {
                assertArrayEquals(fromArray[i], fromTensor[i], "row " + i);
            }
            assertEquals(model.evaluate(x, y), model.evaluate(tx, y));
        }
    }
}
