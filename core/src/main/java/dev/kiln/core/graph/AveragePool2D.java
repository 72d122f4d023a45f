package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.PoolingKernels;
import dev.kiln.core.kernel.Window2d;
import dev.kiln.core.memory.Shape;

/**
 * The mean of each window, per channel; with same padding a border window averages only the values inside
 * the image, as Keras does.
 *
 * <pre>{@code
 * g.add("average_pooling2d", new AveragePool2D(new PoolWindow(2, 2, 2, 2, Padding.VALID)), conv);
 * }</pre>
 */
public record AveragePool2D(PoolWindow window) implements Op {
    @Override
    public Shape outputShape(Shape input) {
        return window.outputShape("average pooling", input);
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        Window2d w = window.over("average pooling", b.inputShape());
        int channels = b.inputShape().dim(2);
        int pixels = w.outPixels();
        return new RowRangeStep((from, to) -> PoolingKernels.averageForward(b.input(), w, channels, from * pixels,
                to * pixels, b.output()), (long) b.outputWidth() * w.windowHeight() * w.windowWidth(), pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (b.inputGradient() == null) {
            return null;
        }
        Window2d w = window.over("average pooling", b.inputShape());
        int channels = b.inputShape().dim(2);
        return new RowRangeStep((from, to) -> PoolingKernels.averageBackward(b.outputGradient(), w, channels, from, to,
                b.inputGradient()), (long) b.inputWidth() + (long) b.outputWidth() * w.windowHeight() * w.windowWidth(),
                pool);
    }

    @Override
    public String describe() {
        return "average_pool " + window;
    }
}
