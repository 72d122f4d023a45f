package dev.kiln.core.graph;

import dev.kiln.core.exec.Conv2dBackwardStep;
import dev.kiln.core.exec.Conv2dForwardStep;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.Conv2dShape;
import dev.kiln.core.kernel.Padding;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fused y = f(conv(x, W) + b) over images, channels last: one blocked GEMM of the patch matrix by the
 * kernel whose epilogue adds the bias and applies the activation while the output tile is in registers, as
 * {@link Dense} does. The kernel has Keras' layout [kernel height, kernel width, input channels, filters];
 * {@code bias} may be null. Dilation 1.
 *
 * <pre>{@code
 * Parameter w = new Parameter("conv2d/kernel", 3, 3, 1, 32), b = new Parameter("conv2d/bias", 32);
 * g.add("conv2d", new Conv2D(w, b, 1, 1, Padding.VALID, Activation.RELU), images);   // [28, 28, 1] → [26, 26, 32]
 * }</pre>
 */
public record Conv2D(Parameter kernel, Parameter bias, int strideHeight, int strideWidth, Padding padding,
        Activation activation) implements Op {
    public Conv2D {
        if (kernel.shape().length != 4) {
            throw new IllegalArgumentException("a convolution kernel has shape [height, width, input channels, filters],"
                    + " got " + java.util.Arrays.toString(kernel.shape()) + " for " + kernel.name());
        }
        if (bias != null && bias.size() != kernel.shape()[3]) {
            throw new IllegalArgumentException("bias " + bias.name() + " holds " + bias.size() + " values but the kernel has "
                    + kernel.shape()[3] + " filters");
        }
        if (!activation.isElementwise()) {
            throw new IllegalArgumentException(activation + " is not elementwise and cannot be fused into a convolution");
        }
    }

    /** The geometry of this convolution over images of shape {@code input}, checked. */
    Conv2dShape over(Shape input) {
        Images.require("convolution " + kernel.name(), input);
        int[] k = kernel.shape();
        if (input.dim(2) != k[2]) {
            throw new IllegalArgumentException("convolution " + kernel.name() + " expects images with " + k[2]
                    + " channels but gets examples of shape " + input);
        }
        try {
            return Conv2dShape.of(input.dim(0), input.dim(1), k[2], k[0], k[1], k[3], strideHeight, strideWidth, padding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("convolution " + kernel.name() + " " + k[0] + "×" + k[1]
                    + " cannot slide over images of shape " + input + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Shape outputShape(Shape input) {
        Conv2dShape s = over(input);
        return Shape.of(s.outHeight(), s.outWidth(), s.filters());
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> ps = new ArrayList<>(List.of(kernel));
        if (bias != null) {
            ps.add(bias);
        }
        return ps;
    }

    @Override
    public int scratchWidth(Shape input, Shape output) {
        // Only activations whose derivative cannot be read off the output keep the pre-activation.
        return activation.derivativeNeedsInput() ? output.size() : 0;
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        return new Conv2dForwardStep(b.input(), over(b.inputShape()), kernel.value(), bias == null ? null : bias.value(),
                training ? b.scratch() : null, b.output(), activation, pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        return new Conv2dBackwardStep(b.input(), over(b.inputShape()), kernel.value(), b.scratch(), b.output(),
                b.outputGradient(), b.parameterGradient(kernel), bias == null ? null : b.parameterGradient(bias), b.inputGradient(),
                activation, pool);
    }

    @Override
    public String describe() {
        int[] k = kernel.shape();
        return "conv2d " + k[0] + "×" + k[1] + " stride " + strideHeight + "×" + strideWidth + " "
                + padding.name().toLowerCase(Locale.ROOT) + " " + kernel + (bias == null ? "" : " + " + bias) + " → "
                + activation.name().toLowerCase(Locale.ROOT);
    }
}
