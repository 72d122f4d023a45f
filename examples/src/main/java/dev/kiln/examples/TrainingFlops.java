package dev.kiln.examples;

import dev.kiln.core.memory.Shape;
import dev.kiln.layers.Conv2DLayer;
import dev.kiln.layers.DenseLayer;
import dev.kiln.layers.Layer;
import java.util.List;

/**
 * Floating-point operations of one training sample of an MLP or a convnet, counting the matrix
 * products only (a multiply-add is 2 FLOPs), as issue 3 counts them:
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
 *
 * <p>A convolution is the same three products with a kernel of kh·kw·cin inputs per output value, at
 * every one of its outH·outW positions: 2·outH·outW·filters·kh·kw·cin each (its input gradient is the
 * transposed convolution, the same count). Pooling, Flatten and Dropout multiply nothing and are left
 * out like the activations. Keras' simple convnet on 28×28×1: conv1 389,376, conv2 4,460,544, dense
 * 32,000; forward 4,881,920, total 2 · 4,881,920 + 4,460,544 + 32,000 = 14,256,384.
 */
final class TrainingFlops {
    /** The count as JSON states it, per model kind: what a reader of the GFLOP/s needs to redo it. */
    static final String MLP_FORMULA = "forward 2*sum(in*out) + backward 2*sum(in*out) (weight gradients)"
            + " + 2*sum(in*out) over layers after the first (input gradients)";
    static final String CONV_FORMULA = "forward P = sum over Conv2D of 2*outH*outW*filters*kh*kw*cin + sum over Dense"
            + " of 2*in*out; + P (weight gradients) + the same sums over layers after the first (input gradients)";

    private TrainingFlops() {
    }

    /**
     * FLOPs per sample of a training step of {@code layers} on examples of shape {@code example}, from
     * each layer's geometry: the shapes are walked with {@link Layer#outputShape}, so the count follows
     * the model as built rather than a copy of its sizes. Only Conv2D and Dense multiply matrices.
     */
    static long perSample(List<Layer> layers, Shape example) {
        long forward = 0;
        long inputGradients = 0;
        boolean first = true;
        Shape in = example;
        for (Layer layer : layers) {
            Shape out = layer.outputShape(in);
            long products = switch (layer) {
                case Conv2DLayer conv -> 2L * out.dim(0) * out.dim(1) * conv.filters() * conv.kernelHeight()
                        * conv.kernelWidth() * in.dim(2);
                case DenseLayer dense -> 2L * in.size() * dense.units();
                default -> 0;
            };
            if (products > 0) {
                forward += products;
                // The first layer that multiplies sees the data, which needs no gradient.
                if (!first) {
                    inputGradients += products;
                }
                first = false;
            }
            in = out;
        }
        long weightGradients = forward;
        return forward + weightGradients + inputGradients;
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
