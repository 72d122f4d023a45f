package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.kernel.ActivationKernels;
import dev.kiln.core.memory.Shape;

/** y = f(x) elementwise, or softmax over each row. */
public record Activate(Activation function) implements Op {
    @Override
    public Shape outputShape(Shape input) {
        if (function == Activation.SOFTMAX && input.rank() != 1) {
            throw new IllegalArgumentException("softmax needs flat examples (it normalizes over all their values)"
                    + " but gets examples of shape " + input + "; reshape (flatten) them first");
        }
        return input;
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
