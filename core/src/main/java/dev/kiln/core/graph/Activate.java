package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.ActivationKernels;

/** y = f(x) elementwise, or softmax over each row. */
public record Activate(Activation function) implements Op {
    @Override
    public int outputWidth(int inputWidth) {
        return inputWidth;
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        int cols = b.outputWidth();
        if (function == Activation.SOFTMAX) {
            // About 32 operations an element: the exp dominates. With 4, as for a cheap elementwise
            // function, predict's 1024-row softmax never reached the split and ran on one thread.
            return new RowRangeStep((from, to) -> ActivationKernels.softmaxForward(b.input(), b.output(), cols, from, to),
                    32L * cols, pool);
        }
        return new RowRangeStep((from, to) -> ActivationKernels.forward(function, b.input(), b.output(),
                (long) from * cols, (long) to * cols), 4L * cols, pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (b.inputGradient() == null) {
            return null;
        }
        int cols = b.outputWidth();
        if (function == Activation.SOFTMAX) {
            return new RowRangeStep((from, to) -> ActivationKernels.softmaxBackward(b.output(), b.outputGradient(),
                    b.inputGradient(), cols, from, to), 4L * cols, pool);
        }
        return new RowRangeStep((from, to) -> ActivationKernels.backward(function, b.input(), b.output(),
                b.outputGradient(), b.inputGradient(), (long) from * cols, (long) to * cols), 4L * cols, pool);
    }

    @Override
    public String describe() {
        return function.name().toLowerCase(java.util.Locale.ROOT);
    }
}
