package dev.kiln;

import static dev.kiln.Layers.Dense;
import static dev.kiln.Layers.Input;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The subprocess of {@link AtomicSaveKillTest}: saves one model to the same path over and over, every
 * weight of round k equal to k (so a mix of two rounds would show), printing each round once it is
 * saved, until it is killed. Alternates .kiln and .safetensors when asked for both.
 */
public final class SaveLoop {
    private SaveLoop() {
    }

    public static void main(String[] args) throws Exception {
        Path model = Path.of(args[0]);
        Path weights = Path.of(args[1]);
        int start = Integer.parseInt(args[2]);
        try (Model m = Sequential.of(Input(300), Dense(1000), Dense(10)).compile("adam", "mse")) {
            for (int k = start; ; k++) {
                List<float[]> w = m.getWeights();
                for (float[] a : w) {
                    Arrays.fill(a, k);
                }
                m.setWeights(w);
                m.save(model);
                m.saveWeights(weights);
                System.out.println("saved " + k);
                System.out.flush();
            }
        }
    }
}
