package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.GlobalPoolingKernels;
import dev.kiln.core.memory.Shape;

/**
 * The mean of each channel over the whole image: [height, width, channels] → [channels].
 *
 * <pre>{@code
 * g.add("global_average_pooling2d", new GlobalAveragePool2D(), conv);   // [11, 11, 64] → [64]
 * }</pre>
 */
public record GlobalAveragePool2D() implements Op {
    @Override
    public Shape outputShape(Shape input) {
        return Shape.of(Images.require("global average pooling", input).dim(2));
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        Shape in = b.inputShape();
        return new RowRangeStep((from, to) -> GlobalPoolingKernels.averageForward(b.input(), in.dim(0), in.dim(1),
                in.dim(2), from, to, b.output()), b.inputWidth(), pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (b.inputGradient() == null) {
            return null;
        }
        Shape in = b.inputShape();
        return new RowRangeStep((from, to) -> GlobalPoolingKernels.averageBackward(b.outputGradient(), in.dim(0),
                in.dim(1), in.dim(2), from, to, b.inputGradient()), b.inputWidth(), pool);
    }

    @Override
    public String describe() {
        return "global_average_pool";
    }
}
