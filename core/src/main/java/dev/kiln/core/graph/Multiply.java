package dev.kiln.core.graph;

import dev.kiln.core.exec.KernelPool;
import dev.kiln.core.exec.RowRangeStep;
import dev.kiln.core.exec.Step;
import dev.kiln.core.kernel.ElementwiseKernels;
import dev.kiln.core.memory.Shape;
import java.lang.foreign.MemorySegment;
import java.util.List;

/** y = x₀ · x₁ · …, elementwise over inputs of one shape (a gate). */
public record Multiply() implements Merge {
    @Override
    public Shape outputShape(List<Shape> inputs) {
        return Merge.sameShape("multiply", inputs);
    }

    @Override
    public Step forward(NodeBuffers b, boolean training, KernelPool pool) {
        return ElementwiseMerge.forward(b, pool, ElementwiseKernels::multiply);
    }

    /** The gradient of input k is the output's gradient times every other input. */
    @Override
    public Step backward(NodeBuffers b, KernelPool pool) {
        if (!b.needsInputGradients()) {
            return null;
        }
        int cols = b.outputWidth();
        List<MemorySegment> xs = b.inputs();
        List<MemorySegment> grads = b.inputGradients();
        return new RowRangeStep((from, to) -> {
            long start = (long) from * cols;
            long end = (long) to * cols;
            for (int k = 0; k < grads.size(); k++) {
                MemorySegment g = grads.get(k);
                if (g == null) {
                    continue;
                }
                ElementwiseKernels.copy(b.outputGradient(), g, start, end);
                for (int j = 0; j < xs.size(); j++) {
                    if (j != k) {
                        ElementwiseKernels.multiply(g, xs.get(j), g, start, end);
                    }
                }
            }
        }, (long) xs.size() * xs.size() * cols, pool);
    }

    @Override
    public String describe() {
        return "multiply";
    }
}
