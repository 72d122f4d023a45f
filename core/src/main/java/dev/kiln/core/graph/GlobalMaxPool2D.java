package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.GlobalPoolingKernels;
import dev.kiln.core.memory.Shape;

/**
 * The largest value of each channel over the whole image: [height, width, channels] → [channels]. Keeps the
 * index each maximum came from (int32 scratch) for the backward step.
 *
 * <pre>{@code
 * g.add("global_max_pooling2d", new GlobalMaxPool2D(), conv);   // [11, 11, 64] → [64]
 * }</pre>
 */
public record GlobalMaxPool2D() implements Op {
    @Override
    public Shape outputShape(Shape input) {
        return Shape.of(Images.require("global max pooling", input).dim(2));
    }

    @Override
    public int scratchWidth(Shape input, Shape output) {
        return output.size(); // the argmax of each channel
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        Shape in = b.inputShape();
        return new RowRangeStep((from, to) -> GlobalPoolingKernels.maxForward(b.input(), in.dim(0), in.dim(1),
                in.dim(2), from, to, b.output(), b.scratch()), b.inputWidth(), pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (b.inputGradient() == null) {
            return null;
        }
        Shape in = b.inputShape();
        return new RowRangeStep((from, to) -> GlobalPoolingKernels.maxBackward(b.outputGradient(), b.scratch(),
                in.dim(0), in.dim(1), in.dim(2), from, to, b.inputGradient()), b.inputWidth(), pool);
    }

    @Override
    public String describe() {
        return "global_max_pool";
    }
}
