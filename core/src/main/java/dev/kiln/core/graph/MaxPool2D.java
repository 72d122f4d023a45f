package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.PoolingKernels;
import dev.kiln.core.kernel.Window2d;
import dev.kiln.core.memory.Shape;

/**
 * The largest value of each window, per channel. The forward step keeps, per output value, the index of
 * the input value it came from (as int32 scratch), so the backward step routes each gradient back to it.
 *
 * <pre>{@code
 * g.add("max_pooling2d", new MaxPool2D(new PoolWindow(2, 2, 2, 2, Padding.VALID)), conv);   // [26, 26, 32] → [13, 13, 32]
 * }</pre>
 */
public record MaxPool2D(PoolWindow window) implements Op {
    @Override
    public Shape outputShape(Shape input) {
        return window.outputShape("max pooling", input);
    }

    @Override
    public int scratchWidth(Shape input, Shape output) {
        return output.size(); // the argmax of each output value
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        Window2d w = window.over("max pooling", b.inputShape());
        int channels = b.inputShape().dim(2);
        int pixels = w.outPixels();
        return new RowRangeStep((from, to) -> PoolingKernels.maxForward(b.input(), w, channels, from * pixels,
                to * pixels, b.output(), b.scratch()), (long) b.outputWidth() * w.windowHeight() * w.windowWidth(), pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (b.inputGradient() == null) {
            return null;
        }
        Window2d w = window.over("max pooling", b.inputShape());
        int channels = b.inputShape().dim(2);
        return new RowRangeStep((from, to) -> PoolingKernels.maxBackward(b.outputGradient(), b.scratch(), w, channels,
                from, to, b.inputGradient()), (long) b.inputWidth() + b.outputWidth(), pool);
    }

    @Override
    public String describe() {
        return "max_pool " + window;
    }
}
