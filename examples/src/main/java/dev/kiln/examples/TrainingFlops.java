package dev.kiln.examples;

import java.util.List;

/**
 * Floating-point operations of one training sample of an MLP, counting the matrix products only
 * (a multiply-add is 2 FLOPs), as issue 3 counts them:
 *
 * <pre>
 *   forward   2 · Σ in·out            over every Dense layer          (X·W)
 *   backward  2 · Σ in·out            weight gradients                (Xᵀ·dY)
 *           + 2 · Σ in·out            input gradients, every layer but the first (dY·Wᵀ; the
 *                                     first layer's input is the data, which needs no gradient)
 * </pre>
 *
 * For 784-128-10 that is 203,264 + 205,824 = 409,088. Bias adds, activations, softmax, the loss and
 * the optimizer update are left out: they grow with the widths, not with their products (Adam over
 * 101,770 parameters is about 8 kFLOP per sample at batch 128, 2 %).
 */
final class TrainingFlops {
    private TrainingFlops() {
    }

    /** FLOPs per sample of a training step of {@code inputs}-{@code hidden...}-{@code outputs}. */
    static long perSample(int inputs, List<Integer> hidden, int outputs) {
        long forward = 0;
        long inputGradients = 0;
        int in = inputs;
        for (int i = 0; i <= hidden.size(); i++) {
            int out = i < hidden.size() ? hidden.get(i) : outputs;
            long products = 2L * in * out;
            forward += products;
            if (i > 0) {
                inputGradients += products;
            }
            in = out;
        }
        long weightGradients = forward;
        return forward + weightGradients + inputGradients;
    }
}
