package dev.kiln.core.graph;

import dev.kiln.core.exec.DenseBackwardStep;
import dev.kiln.core.exec.DenseForwardStep;
import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.Activation;
import dev.kiln.core.memory.Shape;
import dev.kiln.core.runtime.Parameter;
import java.util.List;

/** y = x·W with W of shape [inputWidth, units]; the fusion pass folds it into {@link Dense}. */
public record MatMul(Parameter kernel) implements Op {
    public MatMul {
        if (kernel.shape().length != 2) {
            throw new IllegalArgumentException("matmul kernel must be rank 2, got " + kernel);
        }
    }

    @Override
    public Shape outputShape(Shape input) {
        int rows = kernel.shape()[0];
        if (input.rank() != 1) {
            throw new IllegalArgumentException("matmul kernel " + kernel + " needs flat examples but gets examples of"
                    + " shape " + input + "; reshape (flatten) them first");
        }
        if (rows != input.size()) {
            throw new IllegalArgumentException("matmul kernel " + kernel + " expects " + rows
                    + " input features but its input has " + input.size());
        }
        return Shape.of(kernel.shape()[1]);
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(kernel);
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        return new DenseForwardStep(b.input(), kernel.value(), null, null, b.output(),
                b.inputWidth(), b.outputWidth(), Activation.LINEAR, pool);
    }

    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        return new DenseBackwardStep(b.input(), kernel.value(), null, b.output(), b.outputGradient(),
                b.parameterGradient(kernel), null, b.inputGradient(), b.backwardScratch(), b.inputWidth(), b.outputWidth(), Activation.LINEAR, pool);
    }

    @Override
    public String describe() {
        return "matmul " + kernel;
    }
}
